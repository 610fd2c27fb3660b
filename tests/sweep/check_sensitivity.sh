#!/usr/bin/env bash
# The SRRC arithmetic on data with a known answer, then the shipped sensitivity sweep (an lhs
# sweep of 64 runs) and its tornado plot.
#   bash check_sensitivity.sh MNSIM SOURCE_DIR
set -euo pipefail
mnsim=$1; src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$src/tests/sweep/check_srrc.py" "$src/scripts"
"$mnsim" sweep "$src/configs/sensitivity.ini" -o "$work/sens"
[[ $(grep -c ',complete,' "$work/sens/summary.csv") -eq 64 ]]
/usr/bin/python3 "$src/scripts/sensitivity.py" --help | grep -q "SWEEP_DIR"
/usr/bin/python3 "$src/scripts/sensitivity.py" "$work/sens" -o "$work/tornado.png" --csv "$work/srrc.csv"
[[ $(head -c 8 "$work/tornado.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]
# One row per varied key plus R^2. A Latin hypercube is nearly orthogonal, so the squared
# coefficients of each outcome add up to about its R^2 (a single coefficient may pass 1 slightly
# when sampled inputs correlate, so the bound is on the sum).
/usr/bin/python3 - "$work/srrc.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
keys = [r[0] for r in rows[1:-1]]
assert len(keys) == 7 and rows[-1][0] == "R2", rows
r2 = [float(v) for v in rows[-1][1:]]
assert all(0 <= v <= 1 for v in r2), r2
for col, total in enumerate(r2):
    squares = sum(float(r[1 + col]) ** 2 for r in rows[1:-1])
    assert abs(squares - total) < 0.25, (col, squares, total)
PY
echo "check_sensitivity: SRRC arithmetic, 64 lhs runs and the tornado plot"
