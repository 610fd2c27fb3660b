#!/usr/bin/python3
"""Heat maps of the session-spacing explorer (configs/explore-spacing.ini).

    mnsim sweep configs/explore-spacing.ini -o out/explore-spacing
    /usr/bin/python3 scripts/plot_spacing.py out/explore-spacing -o spacing.png

Left: the collagen gain 6 months after each protocol's last session, over the interval between
sessions (weeks) and the number of sessions. Right: the same gain divided by the number of
sessions, what each session bought. The README section "Exploring session spacing" explains how
to read them. Runs that did not complete are left blank and listed.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnsim_reader  # noqa: E402


def grid_of(summary, column):
    """The outcome as a (sessions x interval) table, with the axes' values."""
    weeks = summary["schedule.interval"] / 7.0
    counts = summary["schedule.count"]
    ws, cs = np.unique(weeks), np.unique(counts)
    table = np.full((len(cs), len(ws)), np.nan)
    ok = summary["status"] == "complete"
    for w, c, v, good in zip(weeks, counts, summary[column], ok):
        if good:
            table[np.searchsorted(cs, c), np.searchsorted(ws, w)] = v
    return ws, cs, table


def heat_map(ax, ws, cs, table, title, unit):
    im = ax.imshow(table, origin="lower", cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(ws)), [f"{w:g}" for w in ws])
    ax.set_yticks(range(len(cs)), [f"{c:g}" for c in cs])
    ax.set_xlabel("interval between sessions (weeks)")
    ax.set_ylabel("number of sessions")
    ax.set_title(title, fontsize=10)
    finite = table[np.isfinite(table)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            if np.isfinite(table[i, j]):
                ax.text(j, i, f"{table[i, j]:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if table[i, j] < middle else "black")
    plt.colorbar(im, ax=ax, label=unit)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sweep_dir", metavar="SWEEP_DIR", help="output folder of the explore-spacing sweep")
    p.add_argument("-o", "--output", required=True, metavar="FILE.png", help="image to write")
    p.add_argument("--outcome", default="papillary.collagen_total_pct",
                   help="time series to map, <region>.<name> (default: %(default)s)")
    p.add_argument("--after", default="180",
                   help="days after the last session, as in [collect] after_last_session (default: %(default)s)")
    a = p.parse_args(argv)

    summary = mnsim_reader.load_summary(a.sweep_dir)
    column = f"{a.outcome}@last+{a.after}"
    missing = [c for c in ("schedule.interval", "schedule.count", column) if c not in summary]
    if missing:
        sys.exit(f"plot_spacing: {a.sweep_dir}/summary.csv has no column {', '.join(missing)}; "
                 "expected a sweep over schedule.interval x schedule.count with "
                 f"[collect] after_last_session = {a.after} (configs/explore-spacing.ini)")
    failed = [f"{i} ({s})" for i, s in zip(summary["id"], summary["status"]) if s != "complete"]
    if failed:
        print("plot_spacing: left blank, not complete: " + "; ".join(failed), file=sys.stderr)

    ws, cs, gain = grid_of(summary, column)
    per_session = gain / cs[:, None]
    months = float(a.after) / 30
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), constrained_layout=True)
    heat_map(axes[0], ws, cs, gain, f"{a.outcome}: change {months:g} months after the last session", "% of baseline")
    heat_map(axes[1], ws, cs, per_session, "the same, per session", "% of baseline per session")
    fig.suptitle(f"Session spacing explorer ({a.sweep_dir})", fontsize=11)
    fig.savefig(a.output, dpi=120)
    best = np.unravel_index(np.nanargmax(gain), gain.shape)
    print(f"plot_spacing: wrote {a.output}; largest gain {gain[best]:.1f} % "
          f"({cs[best[0]]:g} sessions {ws[best[1]]:g} weeks apart)")

if __name__ == "__main__":
    main()
