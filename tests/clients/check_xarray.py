"""xarray (h5netcdf engine) and the mnsim reader see named dimensions, coordinates and units."""
import sys

import xarray as xr

run_file, scripts = sys.argv[1], sys.argv[2]
sys.path.insert(0, scripts)
import mnsim_reader  # noqa: E402

fields = xr.open_dataset(run_file, engine="h5netcdf", group="fields")
names = ("open_pores damage tgf_latent tgf_active inflammatory_cells mmp fibroblasts collagen_III "
         "collagen_I_new collagen_I_mature elastin tropoelastin activated_fibroblasts").split()
assert sorted(fields.data_vars) == sorted(names), sorted(fields.data_vars)
for n in names:
    assert fields[n].dims == ("time", "z", "y", "x"), (n, fields[n].dims)
    assert fields[n].attrs.get("units"), n
for c, unit in (("z", "mm"), ("y", "mm"), ("x", "mm")):
    assert fields[c].attrs["units"] == unit, (c, fields[c].attrs)
assert float(fields.z[0]) > 0 and float(fields.z[-1]) < 1.8 + 1e-9
assert fields.sizes["time"] >= 2
assert float(fields.fibroblasts.isel(time=0).max()) == 4000.0

run = mnsim_reader.load(run_file)
assert run.attrs["status"] == "complete", run.attrs["status"]
for key in ("software_version", "git_hash", "seed", "config", "created_utc", "build_flags", "threads"):
    assert key in run.attrs, key
s = run.series["papillary/collagen_total_pct"]
assert s.attrs["units"] == "%" and s.dims == ("time",)
assert run.series.time.attrs["units"] == "day"
assert len(run.sessions) == 1 and run.sessions[0]["device"] == "single", run.sessions
print("xarray: ok,", run)
