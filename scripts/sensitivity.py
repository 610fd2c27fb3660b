#!/usr/bin/python3
"""Which parameters matter? Standardised rank regression coefficients (SRRC) of a sweep's outcomes.

    mnsim sweep configs/sensitivity.ini -o out/sensitivity
    /usr/bin/python3 scripts/sensitivity.py out/sensitivity -o tornado.png [--csv srrc.csv]

Every varied key of the sweep (an lhs sweep: the columns between "id" and "status" of
summary.csv) and every outcome are replaced by their ranks and standardised; a least-squares
fit of each outcome on all keys then gives one coefficient per key in [-1, 1]: how many
standard deviations (of ranks) the outcome moves per standard deviation of that key, the others
held fixed. The sign is the direction. Ranks make it robust to monotone non-linearity (a log
dose, a saturating gain); R^2 of the rank fit says how much of the outcome's spread the keys
explain this way: below about 0.7 the ranking is only indicative (interactions or
non-monotone effects). The tornado plot sorts the keys by |SRRC| of the first outcome.
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

DEFAULT_OUTCOMES = ("papillary.collagen_total_pct", "papillary.collagen_III_pct", "papillary.elastin_total_pct")


def ranks(a):
    """Ranks 1..n, ties sharing their average rank."""
    a = np.asarray(a, dtype=float)
    r = np.empty(len(a))
    r[np.argsort(a, kind="mergesort")] = np.arange(1, len(a) + 1)
    _, tie, count = np.unique(a, return_inverse=True, return_counts=True)
    return (np.bincount(tie, weights=r) / count)[tie]


def standardise(a):
    sd = a.std()
    return (a - a.mean()) / sd if sd > 0 else np.zeros_like(a)


def srrc(x, y):
    """SRRC of y on the columns of x (n runs x k keys) and the R^2 of the rank regression."""
    xs = np.column_stack([standardise(ranks(col)) for col in np.asarray(x, dtype=float).T])
    ys = standardise(ranks(y))
    if not ys.any():
        return np.full(xs.shape[1], np.nan), np.nan  # the outcome does not vary at all
    coef, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    residual = ys - xs @ coef
    return coef, 1 - residual @ residual / (ys @ ys)


def last_collect_column(summary, outcome):
    """The outcome's column at the sweep's last collect point (the latest @last+D, else the latest day)."""
    cols = [c for c in summary if c.startswith(outcome + "@")]
    if not cols:
        return None
    def when(c):
        label = c.split("@", 1)[1]
        return (1, float(label[5:])) if label.startswith("last+") else (0, float(label))
    return max(cols, key=when)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sweep_dir", metavar="SWEEP_DIR", help="output folder of an lhs sweep (configs/sensitivity.ini)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.png", help="tornado plot to write")
    p.add_argument("--outcomes", nargs="+", metavar="COLUMN",
                   help="summary columns (<region>.<name>@<day>) or series (<region>.<name>, taken at the last "
                        "collect point); default: " + ", ".join(DEFAULT_OUTCOMES))
    p.add_argument("--csv", metavar="FILE", help="also write the coefficients and R^2 as CSV")
    a = p.parse_args(argv)

    summary = mnsim_reader.load_summary(a.sweep_dir)
    keys = mnsim_reader.varied_keys(summary)
    ok = summary["status"] == "complete"
    if ok.sum() <= len(keys) + 1:
        sys.exit(f"sensitivity: {ok.sum()} complete runs for {len(keys)} keys; a regression needs more runs than keys")
    if (~ok).any():
        print(f"sensitivity: left out {(~ok).sum()} runs that did not complete: "
              + ", ".join(summary["id"][~ok]), file=sys.stderr)
    outcomes = []
    for name in a.outcomes or DEFAULT_OUTCOMES:
        column = name if name in summary else last_collect_column(summary, name)
        if column is None:
            sys.exit(f"sensitivity: no column '{name}' in {a.sweep_dir}/summary.csv")
        outcomes.append(column)

    x = np.column_stack([summary[k][ok] for k in keys])
    results = {c: srrc(x, summary[c][ok]) for c in outcomes}

    width = max(len(k) for k in keys)
    print(f"SRRC over {ok.sum()} runs" + "".join(f"  | {c}" for c in outcomes))
    for j, k in enumerate(keys):
        print(f"  {k:<{width}}" + "".join(f"  {results[c][0][j]:+.2f}" for c in outcomes))
    print(f"  {'R^2 of the rank fit':<{width}}" + "".join(f"  {results[c][1]:.2f}" for c in outcomes))
    if a.csv:
        with open(a.csv, "w") as f:
            f.write("key," + ",".join(outcomes) + "\n")
            for j, k in enumerate(keys):
                f.write(k + "," + ",".join(f"{results[c][0][j]:.6g}" for c in outcomes) + "\n")
            f.write("R2," + ",".join(f"{results[c][1]:.6g}" for c in outcomes) + "\n")

    # Sorted by the first outcome, so its panel is a true tornado; the others share its rows.
    order = np.argsort(np.nan_to_num(np.abs(results[outcomes[0]][0])))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * len(outcomes) + 1.5, 0.45 * len(keys) + 1.8),
                             sharey=True, constrained_layout=True, squeeze=False)
    for ax, c in zip(axes[0], outcomes):
        coef, r2 = results[c]
        ax.barh(range(len(keys)), coef[order], color=np.where(coef[order] >= 0, "tab:red", "tab:blue"))
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(-1, 1)
        ax.set_yticks(range(len(keys)), [keys[i] for i in order])
        ax.set_xlabel("SRRC")
        ax.set_title(f"{c}\nR² of the rank fit {r2:.2f}", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Which parameters matter: {ok.sum()} runs of {a.sweep_dir} (red raises the outcome, blue lowers it)",
                 fontsize=10)
    fig.savefig(a.output, dpi=120)
    print(f"sensitivity: wrote {a.output}")


if __name__ == "__main__":
    main()
