#!/usr/bin/env bash
# Real clients read a short 2D run: h5dump, ncdump (netCDF-4), xarray and ParaView.
# usage: check_clients.sh MNSIM_BINARY SOURCE_DIR
set -euo pipefail
mnsim=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mnsim" run "$src/configs/quick-2d.ini" -o "$work/run" --quiet --set time.end=14 --set time.output_interval=7
f=$work/run/run.h5

h5dump -H "$f" >"$work/h5dump.txt"
grep -q 'DATASET "collagen_I_mature"' "$work/h5dump.txt"
grep -q 'DIMENSION_LIST' "$work/h5dump.txt"
echo "h5dump: ok"

ncdump -h "$f" >"$work/ncdump.txt"
for want in 'time = UNLIMITED ; // (3 currently)' 'float collagen_I_mature(time, z, y, x)' ':status = "complete"' \
            'collagen_total_pct(time)' 'session_t sessions('; do
  grep -qF "$want" "$work/ncdump.txt" || { echo "ncdump output lacks: $want" >&2; exit 1; }
done
ncdump -v sessions -g schedule "$f" | grep -q '"single"'
echo "ncdump: ok"

/usr/bin/python3 "$src/tests/clients/check_xarray.py" "$f" "$src/scripts"

xvfb-run -a -s "-screen 0 1280x1024x24" pvbatch "$src/tests/clients/check_paraview.py" "$work/run/run.xmf" 3 0.64 1.8 2>&1 |
  grep -v -e '^$' -e 'Warning: In' -e 'vtkXOpenGLRenderWindow' | tee "$work/pv.txt"
grep -q "paraview: ok" "$work/pv.txt"
