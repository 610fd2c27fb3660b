"""Read an mnsim run file (run.h5) from Python, with units.

Use Debian's interpreter, which sees the h5py / xarray packages:

    /usr/bin/python3 -c "import sys; sys.path.insert(0, 'scripts'); import mnsim_reader as r; print(r.load('out/default/run.h5'))"

    run = load("out/default/run.h5")
    run.fields            # xarray.Dataset: 13 fields over (time, z, y, x), coordinates in days and mm
    run.series            # xarray.Dataset: variables "papillary/collagen_total_pct", ... over time (days)
    run.sessions          # list of dicts: day, device, needle_length, density, punctures
    run.attrs             # status, software_version, git_hash, seed, config, created_utc, ...
    run.series["papillary/collagen_total_pct"].attrs["units"]   # "%"

    summary = load_summary("out/my-sweep")   # a sweep's summary.csv: one entry per column
    summary["schedule.interval"], summary["status"], summary["dermis.collagen_total_pct@120"]
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field

import h5py
import numpy as np
import xarray as xr

# A run that is still being written is locked by HDF5; readers must not take the lock.
os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")


def _text(v):
    return v.decode() if isinstance(v, bytes) else v


@dataclass
class Run:
    path: str
    fields: xr.Dataset
    series: xr.Dataset
    sessions: list = field(default_factory=list)
    attrs: dict = field(default_factory=dict)

    def __repr__(self):
        return (f"mnsim run {self.path}: status {self.attrs.get('status')}, "
                f"{self.fields.sizes.get('time', 0)} snapshots, {len(self.series.time)} time-series points, "
                f"{len(self.sessions)} sessions")


def load_fields(path: str) -> xr.Dataset:
    """The /fields group as an xarray Dataset with named dimensions (lazy, via h5netcdf)."""
    return xr.open_dataset(path, engine="h5netcdf", group="fields")


def load_series(path: str) -> xr.Dataset:
    """Every /timeseries/<region>/<name> as a variable "<region>/<name>" over time, with units."""
    with h5py.File(path, "r") as f:
        ts = f["timeseries"]
        time = ts["time"][()]
        data = {}
        for region, group in ts.items():
            if not isinstance(group, h5py.Group):
                continue
            for name, ds in group.items():
                data[f"{region}/{name}"] = xr.DataArray(ds[()], dims=("time",),
                                                        attrs={"units": _text(ds.attrs.get("units", ""))})
    return xr.Dataset(data, coords={"time": ("time", time, {"units": "day"})})


def load_sessions(path: str) -> list:
    with h5py.File(path, "r") as f:
        if "schedule/sessions" not in f:
            return []
        rows = f["schedule/sessions"][()]
    out = []
    for r in rows:
        device = b"".join(np.asarray(r["device"]).tolist()).decode().rstrip("\x00")
        out.append({"day": float(r["day"]), "device": device, "needle_length": float(r["needle_length"]),
                    "density": float(r["density"]), "punctures": int(r["punctures"])})
    return out


def load(path: str) -> Run:
    with h5py.File(path, "r") as f:
        attrs = {k: (_text(v) if isinstance(v, bytes) else (v.item() if np.ndim(v) == 0 or np.size(v) == 1 else v))
                 for k, v in f.attrs.items()}
    return Run(path, load_fields(path), load_series(path), load_sessions(path), attrs)


def load_summary(sweep_dir: str) -> dict:
    """A sweep's DIR/summary.csv as {column: numpy array}, in the file's column order.

    Numeric columns (varied keys in their documented unit, outcomes) are float arrays with NaN
    where a run has no value; id, status and text-valued keys are string arrays. The varied keys
    are the columns between "id" and "status".
    """
    with open(os.path.join(sweep_dir, "summary.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    columns = {}
    for j, name in enumerate(header):
        values = [r[j] for r in body]
        try:
            columns[name] = np.array([float(v) for v in values])
        except ValueError:
            columns[name] = np.array(values, dtype=str)
    return columns


def varied_keys(summary: dict) -> list:
    """The keys a sweep varied: the summary's columns between "id" and "status"."""
    names = list(summary)
    return names[names.index("id") + 1:names.index("status")]
