#!/usr/bin/env bash
# The Slurm backend on a real single-node cluster (scripts/slurm_local_cluster.sh): a 2 x 2
# job-array sweep submitted with --submit, waited for by polling squeue, gives the same summary
# as the local backend; a task requeued mid-run (as pre-emption does) resumes from its checkpoint.
# The daemons are always stopped. Needs root and slurmctld slurmd slurm-client munge.
#   bash check_slurm.sh MNSIM SOURCE_DIR
set -euo pipefail
mnsim=$1; src=$2
if [[ $(id -u) -ne 0 ]]; then
  echo "check_slurm: skipped: starting Slurm daemons needs root"
  exit 77
fi
work=$(mktemp -d /tmp/mnsim-slurm-test.XXXXXX)
chmod 755 "$work"  # the munge daemon runs as user munge and keeps its socket in here
cluster=$work/cluster
finish() {
  code=$?
  if [[ $code -ne 0 ]]; then
    echo "check_slurm: FAILED; logs:" >&2
    tail -n 20 "$cluster"/*.log "$work"/*/slurm/logs/* "$work"/*/runs/*/log.txt 2>/dev/null >&2 || true
  fi
  bash "$src/scripts/slurm_local_cluster.sh" stop "$cluster"
  rm -rf "$work"
  exit $code
}
trap finish EXIT
eval "$(bash "$src/scripts/slurm_local_cluster.sh" start "$cluster")"
sinfo

# Polls squeue until none of the jobs is left, for at most $2 seconds.
wait_for_jobs() {
  local jobs=$1 limit=$2 waited=0
  while [[ -n $(squeue -h -j "$jobs" 2>/dev/null) ]]; do
    if ((waited >= limit)); then
      echo "check_slurm: jobs $jobs still queued after $limit s" >&2
      squeue >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "check_slurm: jobs $jobs done after ${waited} s"
}

# 1. A job array of 4 runs, 2 at a time, then the collect job.
spec=$src/tests/sweep/grid-2x2.ini
"$mnsim" sweep "$spec" -o "$work/local" --threads 1 --quiet
"$mnsim" sweep "$spec" -o "$work/grid" --backend slurm --jobs 2 --submit
grep -q '^#SBATCH --array=0-3%2$' "$work/grid/slurm/array.sh"
read -r array collect < "$work/grid/slurm/jobs.txt"
wait_for_jobs "$array,$collect" 300
cat "$work/grid/slurm/logs/collect.out"
grep -q "4 of 4 runs complete" "$work/grid/slurm/logs/collect.out"
[[ $(grep -c ',complete,' "$work/grid/summary.csv") -eq 4 ]]
cmp "$work/local/summary.csv" "$work/grid/summary.csv"

# 2. Pre-emption: requeue a running task; its next start resumes from the checkpoint.
cat > "$work/slow.ini" <<SPEC
[sweep]
base = $src/configs/quick-2d.ini
[vary]
run.seed = 1
[set]
grid.nx = 64
time.end = 540
schedule.count = 6
device.type = random
output.checkpoint_interval = 10
[collect]
days = 540
SPEC
"$mnsim" sweep "$work/slow.ini" -o "$work/slow" --backend slurm --submit
read -r array collect < "$work/slow/slurm/jobs.txt"
for _ in $(seq 600); do [[ -e $work/slow/runs/r000/checkpoint.h5 ]] && break; sleep 0.1; done
scontrol requeue "${array}_0"
# A requeued job waits a while before it may start again; the test does not wait that long.
for _ in $(seq 300); do
  [[ $(squeue -h -j "${array}_0" -o %T 2>/dev/null) == PENDING ]] && break
  sleep 0.1
done
scontrol update JobId="${array}_0" StartTime=now
wait_for_jobs "$array,$collect" 300
cat "$work/slow/runs/r000/log.txt"
grep -q "resuming r000" "$work/slow/runs/r000/log.txt"
"$mnsim" info "$work/slow/runs/r000/run.h5" | grep -q "restarted_utc"
[[ $(grep -c ',complete,' "$work/slow/summary.csv") -eq 1 ]]
echo "check_slurm: the Slurm job array ran the sweep, and a requeued task resumed from its checkpoint"
