#!/usr/bin/env bash
# The MPI backend under a real mpirun: a 2 x 2 sweep on 2 ranks gives the same summary as the
# local backend, rank 1 takes runs too, a second mpirun redoes only a deleted run, and a bad spec
# is refused once (by rank 0) with exit 2.
#   bash check_mpi.sh MNSIM SOURCE_DIR
set -euo pipefail
mnsim=$1; src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# As root mpirun needs --allow-run-as-root; self,vader keeps traffic in shared memory;
# --oversubscribe lets 2 ranks start on a 1-core machine.
mpi=(mpirun -n 2 --allow-run-as-root --oversubscribe --mca btl self,vader)
spec=$src/tests/sweep/grid-2x2.ini

"$mnsim" sweep "$spec" -o "$work/local" --threads 1 --quiet
"${mpi[@]}" "$mnsim" sweep "$spec" -o "$work/mpi" --backend mpi --threads 1 2> "$work/log"
cat "$work/log"
grep -q "4 to run on 2 MPI ranks x 1 thread(s)" "$work/log"
grep -q "on rank 1" "$work/log"
[[ $(grep -c ',complete,' "$work/mpi/summary.csv") -eq 4 ]]
head -1 "$work/mpi/summary.csv" | tr , '\n' | grep -qx 'dermis.collagen_total_pct@120'
cmp "$work/local/summary.csv" "$work/mpi/summary.csv"

rm -rf "$work/mpi/runs/r002"
"${mpi[@]}" "$mnsim" sweep "$spec" -o "$work/mpi" --backend mpi --threads 1 2> "$work/log"
cat "$work/log"
grep -q "4 runs, 3 already complete, 1 to run" "$work/log"
cmp "$work/local/summary.csv" "$work/mpi/summary.csv"

printf '[sweep]\nbase = %s\n[vary]\ntime.end = 100, 200\n[collect]\ndays = 150\n' "$src/configs/quick-1d.ini" > "$work/bad.ini"
code=0
"${mpi[@]}" "$mnsim" sweep "$work/bad.ini" -o "$work/bad" --backend mpi 2> "$work/log" || code=$?
cat "$work/log"
[[ $code -eq 2 ]]
[[ $(grep -c '^mnsim: ' "$work/log") -eq 1 ]]
[[ ! -e $work/bad ]]
echo "check_mpi: the MPI backend under mpirun -n 2 matches the local backend"
