#!/usr/bin/python3
"""Run every validation protocol, compare with the published outcomes, write the report.

    /usr/bin/python3 validation/run_validation.py [--quick] [--mnsim build/mnsim] [--jobs N] [--out validation]

Writes OUT/REPORT.md, OUT/results.json (one entry per check: id, dataset, observable, simulated,
published, band, pass) and OUT/plots/*.png (observables over time with session markers and the
published points). --quick runs every protocol as a 1D column (seconds; used by CTest); the full
run uses each protocol's own configuration (the Lotfi check in 3D). Exit 0 when every check
passes, 1 otherwise, 2 on bad usage.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import csv
import json
import os
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import mnsim_reader  # noqa: E402

# Each protocol: a config in configs/ (one per published protocol, with its sources) and the
# overrides the full validation runs it with. "single" is one session followed for 40 days (the
# wound-healing time courses of Cohen 1979 and Betz 1995). Lotfi's target is checked in 3D.
PROTOCOLS = {
    "lotfi2013": ("configs/lotfi2013-roller.ini", ["grid.nx=50", "grid.ny=50"]),
    "asj2021": ("configs/asj2021-monthly.ini", []),
    "eldomyati2015": ("configs/eldomyati2015-biweekly.ini", []),
    "pores": ("configs/kalluri2011-pores.ini", []),
    "single": ("configs/quick-2d.ini", ["schedule.count=1", "time.end=40", "grid.nx=250", "device.type=roller",
                                        "time.output_interval=10"]),
}
QUICK = ["grid.nx=1", "grid.ny=1"]


def run_protocol(mnsim, name, out, quick, threads):
    config, overrides = PROTOCOLS[name]
    sets = overrides + (QUICK if quick else [])
    cmd = [mnsim, "run", os.path.join(ROOT, config), "-o", os.path.join(out, name), "--overwrite", "--quiet",
           "--threads", str(threads)]
    for s in sets:
        cmd += ["--set", s]
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{name}: mnsim exited {proc.returncode}: {proc.stderr.strip()}")
    return name, time.time() - t0


def value_at(series, name, day):
    return float(np.interp(day, series.time.values, series[name].values))


def first_day_above(series, name, level, after=0.0):
    t, v = series.time.values, series[name].values
    idx = np.nonzero((t > after) & (v > level))[0]
    return float(t[idx[0]]) if len(idx) else float("inf")


def half_time_hours(series, name, start):
    """Hours from `start` until the series falls to half its value just after `start`."""
    t, v = series.time.values, series[name].values
    after = np.nonzero(t > start)[0]
    peak = v[after[0]]
    below = after[v[after] <= 0.5 * peak]
    return 24.0 * (float(t[below[0]]) - start) if len(below) else float("inf")


def checks(runs):
    """Every check: (id, dataset, observable, simulated, published, band, pass)."""
    out = []

    def add(cid, dataset, observable, simulated, published, band):
        ok = band[0] <= simulated <= band[1]
        out.append({"id": cid, "dataset": dataset, "observable": observable, "simulated": simulated,
                    "published": published, "band": band, "pass": bool(ok)})

    s = runs["lotfi2013"]
    add("lotfi2013_papillary_collagen", "LOTFI2013",
        "papillary collagen_total_pct at day 176 (8 weeks after the 5th monthly session)",
        value_at(s, "papillary/collagen_total_pct", 176), 53.2, [38.2, 68.2])

    s = runs["asj2021"]
    one, three = value_at(s, "dermis/collagen_total_pct", 120), value_at(s, "dermis/collagen_total_pct", 180)
    add("asj2021_gain_rises", "ASJ2021_4xMN",
        "dermis collagen gain 3 months after the 4th monthly session minus the gain 1 month after (percentage points)",
        three - one, "gain at 3 months >= gain at 1 month", [0.0, float("inf")])

    s = runs["pores"]
    add("pore_closure_hours", "KALLURI2011, PMC8259462_SITES",
        "hours until surface open_pore_fraction halves after a session", half_time_hours(s, "surface/open_pore_fraction", 0.0),
        "rat closure 12-18 h; human t1/2 20-26 h occluded, barrier < 2 h non-occluded", [2.0, 26.0])
    s = runs["single"]
    t, syn = s.time.values, s["dermis/collagen_synthesis"].values
    peak = int(np.argmax(syn))
    add("cohen1979_synthesis_peak", "COHEN1979_ONSET", "day of maximal dermal collagen synthesis after one session",
        float(t[peak]), 7.0, [5.0, 9.0])
    add("cohen1979_synthesis_return", "COHEN1979_ONSET",
        "synthesis excess at day 21 as a fraction of the peak excess (back near baseline by days 11-21)",
        (value_at(s, "dermis/collagen_synthesis", 21) - 1) / (syn[peak] - 1), "near baseline by day 11-21", [-0.25, 0.25])
    t3 = first_day_above(s, "dermis/collagen_III_pct", 1.0)
    t1 = first_day_above(s, "dermis/collagen_I_pct", 1.0)
    add("betz_type3_first", "BETZ1995",
        "days between the first +1 % of collagen III and the first +1 % of collagen I (type I later: > 0)",
        t1 - t3, "type III from day 2-3, type I fibres from day 5-6", [0.5, float("inf")])

    s = runs["eldomyati2015"]
    for day in (30, 90):
        for name, sign in (("collagen_I_pct", 1), ("collagen_III_pct", 1), ("collagen_new_pct", 1),
                           ("elastin_total_pct", -1), ("tropoelastin_pct", 1)):
            v = value_at(s, f"dermis/{name}", day)
            add(f"eldomyati2015_{name}_day{day}", "ELDOMYATI2015",
                f"dermis {name} at day {day} ({'up' if sign > 0 else 'down'})", v,
                "up" if sign > 0 else "down", [0.0, float("inf")] if sign > 0 else [-float("inf"), 0.0])
    return out


PLOTS = {
    "lotfi2013": [("papillary/collagen_total_pct", [(176, 53.2, 15.0, "Lotfi 2013 (band ±15)")]),
                  ("surface/epidermal_thickening_pct", [(176, 50.0, None, "Lotfi 2013")])],
    "asj2021": [("dermis/collagen_total_pct", []), ("papillary/collagen_total_pct", [])],
    "eldomyati2015": [("dermis/collagen_I_pct", []), ("dermis/collagen_III_pct", []), ("dermis/collagen_new_pct", []),
                      ("dermis/elastin_total_pct", []), ("dermis/tropoelastin_pct", [])],
    "single": [("dermis/collagen_synthesis", [(7, None, None, "Cohen 1979 peak")]),
               ("dermis/collagen_III_pct", [(2.5, None, None, "Betz: type III")]),
               ("dermis/collagen_I_pct", [(5.5, None, None, "Betz: type I fibres")])],
    "pores": [("surface/open_pore_fraction", [(0.75, None, None, "Kalluri 2011: closed by 12-18 h")])],
}


def plot(name, series, sessions, path):
    panels = PLOTS[name]
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 2.3 * len(panels)), sharex=True, squeeze=False)
    for ax, (obs, points) in zip(axes[:, 0], panels):
        ax.plot(series.time, series[obs], lw=1.5, label="mnsim")
        for d in sessions:
            ax.axvline(d, color="0.7", lw=0.8, ls="--")
        for day, value, err, label in points:
            if value is None:
                ax.axvline(day, color="C3", lw=1.2, label=label)
            else:
                ax.errorbar([day], [value], yerr=None if err is None else [[err], [err]], fmt="o", color="C3",
                            capsize=4, label=label)
        ax.set_ylabel(f"{obs}\n[{series[obs].attrs['units']}]", fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    axes[-1, 0].set_xlabel("day (dashed: sessions)")
    fig.suptitle(f"{name}: simulated observables and published outcomes", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def fmt(v):
    if isinstance(v, float):
        return "inf" if v == float("inf") else ("-inf" if v == -float("inf") else f"{v:.3g}")
    return str(v)


def report(results, out, quick, timings, plots):
    lines = ["# mnsim validation report", "",
             f"Mode: {'quick (every protocol as a 1D column)' if quick else 'full (each protocol as configured)'}; "
             f"generated by `validation/run_validation.py{' --quick' if quick else ''}`. "
             "Published numbers and their sources: `validation/data/published.csv`; how each maps to a simulated "
             "observable: `validation/README.md`.", "",
             f"**{sum(r['pass'] for r in results)} of {len(results)} checks pass.**", "",
             "| check | dataset | observable | simulated | published | band | pass |", "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['id']} | {r['dataset']} | {r['observable']} | {fmt(r['simulated'])} | {fmt(r['published'])} | "
                     f"[{fmt(r['band'][0])}, {fmt(r['band'][1])}] | {'yes' if r['pass'] else '**no**'} |")
    lines += ["", "Run times (s): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(timings.items())), ""]
    for p in plots:
        lines += [f"![{p}](plots/{p})", ""]
    with open(os.path.join(out, "REPORT.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="every protocol as a 1D column (seconds)")
    ap.add_argument("--mnsim", default=os.path.join(ROOT, "build", "mnsim"), help="the mnsim binary")
    ap.add_argument("--out", default=HERE, help="where REPORT.md, results.json and plots/ go")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs at a time (threads are split)")
    args = ap.parse_args()
    if not os.access(args.mnsim, os.X_OK):
        ap.error(f"--mnsim {args.mnsim}: not an executable (build first: cmake --build build)")
    runs_dir = os.path.join(args.out, "runs")
    os.makedirs(os.path.join(args.out, "plots"), exist_ok=True)
    jobs = max(1, min(args.jobs, len(PROTOCOLS)))
    threads = max(1, (os.cpu_count() or 1) // jobs)
    timings = {}
    with cf.ThreadPoolExecutor(jobs) as pool:
        for name, secs in pool.map(lambda n: run_protocol(args.mnsim, n, runs_dir, args.quick, threads), PROTOCOLS):
            timings[name] = secs
    runs = {n: mnsim_reader.load_series(os.path.join(runs_dir, n, "run.h5")) for n in PROTOCOLS}
    results = checks(runs)
    plots = []
    for n in PROTOCOLS:
        sessions = [s["day"] for s in mnsim_reader.load_sessions(os.path.join(runs_dir, n, "run.h5"))]
        plot(n, runs[n], sessions, os.path.join(args.out, "plots", f"{n}.png"))
        plots.append(f"{n}.png")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        # JSON has no infinity: an open band end is null.
        clean = [dict(r, band=[None if abs(b) == float("inf") else b for b in r["band"]]) for r in results]
        json.dump({"mode": "quick" if args.quick else "full", "checks": clean}, f, indent=1)
    report(results, args.out, args.quick, timings, plots)
    for r in results:
        print(f"{'PASS' if r['pass'] else 'FAIL'}  {r['id']:40s} simulated {fmt(r['simulated'])}  band "
              f"[{fmt(r['band'][0])}, {fmt(r['band'][1])}]")
    passed = sum(r["pass"] for r in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
