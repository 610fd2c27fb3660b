#!/usr/bin/python3
"""Cross-section heat maps of fields at chosen days, with physical axes and colour bars in units.

    /usr/bin/python3 scripts/plot_sections.py RUN.h5 --field collagen_I_mature [--field ...] --day 0 --day 56 -o FILE.png

Each panel is the (x, depth) section through the middle of the patch (y = middle) at the snapshot
nearest to the asked day; rows are fields, columns days. Depth increases downwards. A 1D run is
drawn as a depth profile. No display is needed (Agg).
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnsim_reader  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="run.h5")
    ap.add_argument("--field", action="append", required=True, help="field name (repeatable)")
    ap.add_argument("--day", action="append", type=float, required=True, help="day (repeatable; nearest snapshot)")
    ap.add_argument("-o", "--output", required=True, help="PNG file to write")
    args = ap.parse_args()
    if not os.path.exists(args.run):
        ap.error(f"{args.run}: no such file")
    ds = mnsim_reader.load_fields(args.run)
    for f in args.field:
        if f not in ds:
            ap.error(f"no field '{f}' (available: {', '.join(sorted(ds.data_vars))})")
    times = ds.time.values
    fig, axes = plt.subplots(len(args.field), len(args.day), figsize=(3.6 * len(args.day), 3.2 * len(args.field)),
                             squeeze=False)
    for r, f in enumerate(args.field):
        var = ds[f]
        for c, day in enumerate(args.day):
            n = int(np.argmin(np.abs(times - day)))
            sec = var.isel(time=n, y=ds.sizes["y"] // 2).values  # (z, x)
            ax = axes[r, c]
            if ds.sizes["x"] == 1:
                ax.plot(sec[:, 0], ds.z.values)
                ax.invert_yaxis()
                ax.set_xlabel(f"{f} [{var.attrs['units']}]")
            else:
                x, z = ds.x.values, ds.z.values
                dx = x[1] - x[0]
                im = ax.imshow(sec, extent=[x[0] - dx / 2, x[-1] + dx / 2, z[-1] + dx / 2, z[0] - dx / 2],
                               aspect="auto", cmap="viridis")
                fig.colorbar(im, ax=ax).set_label(f"{f} [{var.attrs['units']}]", fontsize=8)
                ax.set_xlabel("x [mm]")
            ax.set_ylabel("depth z [mm]")
            ax.set_title(f"{f}, day {times[n]:g}", fontsize=9)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
