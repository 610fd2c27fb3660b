#!/usr/bin/env bash
# The shipped session-spacing explorer runs as a sweep (48 runs) and plot_spacing.py draws it.
#   bash check_spacing_explorer.sh MNSIM SOURCE_DIR
set -euo pipefail
mnsim=$1; src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mnsim" sweep "$src/configs/explore-spacing.ini" -o "$work/explore"
[[ $(grep -c ',complete,' "$work/explore/summary.csv") -eq 48 ]]
/usr/bin/python3 "$src/scripts/plot_spacing.py" --help | grep -q "SWEEP_DIR"
/usr/bin/python3 "$src/scripts/plot_spacing.py" "$work/explore" -o "$work/spacing.png"
# A real PNG of a real figure, not an empty canvas.
[[ $(head -c 8 "$work/spacing.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]
[[ $(stat -c %s "$work/spacing.png") -gt 40000 ]]
echo "check_spacing_explorer: 48 runs and the heat maps"
