#!/usr/bin/python3
"""Plot observables over time for one or several runs, with the sessions marked.

    /usr/bin/python3 scripts/plot_timeseries.py RUN.h5 [RUN.h5 ...] [--series NAME ...] -o FILE.png

NAME is a time series of run.h5, e.g. papillary/collagen_total_pct (the default), dermis/fibroblasts,
surface/open_pore_fraction. With several runs each is labelled by its schedule (sessions x spacing)
and device, which makes this the session-spacing comparison too. No display is needed (Agg).
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnsim_reader  # noqa: E402


def label(path, sessions):
    if len(sessions) > 1:
        gap = sessions[1]["day"] - sessions[0]["day"]
        sched = f"{len(sessions)} x every {gap:g} d"
    else:
        sched = f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"
    dev = f", {sessions[0]['device']} {sessions[0]['needle_length']:g} mm" if sessions else ""
    return f"{os.path.basename(os.path.dirname(os.path.abspath(path)))}: {sched}{dev}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", help="run.h5 files")
    ap.add_argument("--series", nargs="+", default=["papillary/collagen_total_pct"], help="time series to plot")
    ap.add_argument("-o", "--output", required=True, help="PNG file to write")
    args = ap.parse_args()
    fig, axes = plt.subplots(len(args.series), 1, figsize=(8, 2.8 * len(args.series)), sharex=True, squeeze=False)
    for i, path in enumerate(args.runs):
        if not os.path.exists(path):
            ap.error(f"{path}: no such file")
        series, sessions = mnsim_reader.load_series(path), mnsim_reader.load_sessions(path)
        for ax, name in zip(axes[:, 0], args.series):
            if name not in series:
                ap.error(f"{path}: no time series '{name}' (available: {', '.join(sorted(series.data_vars))})")
            ax.plot(series.time, series[name], color=f"C{i}", label=label(path, sessions))
            for s in sessions:
                ax.axvline(s["day"], color=f"C{i}", lw=0.6, ls=":", alpha=0.7)
            ax.set_ylabel(f"{name}\n[{series[name].attrs['units']}]", fontsize=8)
            ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7)
    axes[-1, 0].set_xlabel("day since the first session (dotted: sessions)")
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
