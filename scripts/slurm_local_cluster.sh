#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for tests and for trying the Slurm backend:
#   source <(bash scripts/slurm_local_cluster.sh start DIR)   start munged, slurmctld, slurmd; print the env to use
#   bash scripts/slurm_local_cluster.sh stop DIR               stop them (cancels what is left)
# Needs root and Debian's slurmctld slurmd slurm-client munge. Everything (key, config, state,
# logs, sockets) lives in DIR; nothing in /etc is touched and no systemd is needed. The node is
# this host at 127.0.0.1 with all its CPUs, in one default partition.
set -euo pipefail
cmd=${1:-}; dir=${2:-}
if [[ -z $cmd || -z $dir ]] || [[ $cmd != start && $cmd != stop ]]; then
  echo "usage: bash scripts/slurm_local_cluster.sh start|stop DIR" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export SLURM_CONF=$dir/slurm.conf

stop() {
  # Each daemon by the pid it recorded: other Slurm or munge daemons on the machine are left alone.
  if [[ -f $SLURM_CONF ]]; then scancel --quiet --user=root 2>/dev/null || true; fi
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

if [[ $cmd == stop ]]; then
  stop
  exit 0
fi

host=$(hostname -s)
cpus=$(nproc)
ctld_port=${MNSIM_SLURMCTLD_PORT:-6817}
slurmd_port=${MNSIM_SLURMD_PORT:-6818}

# munged runs as user munge and insists that its key and socket folder belong to it; it must
# also be able to reach that folder.
mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
chmod a+x "$dir"
if ! runuser -u munge -- test -x "$dir"; then
  echo "slurm_local_cluster: user munge cannot reach $dir; use a folder whose parents others may enter (e.g. under /tmp)" >&2
  exit 1
fi
chown munge: "$dir/munge"
chmod 711 "$dir/munge"  # clients reach the socket; the key itself stays 0400
dd if=/dev/urandom bs=1 count=1024 of="$dir/munge/munge.key" status=none
chown munge: "$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
runuser -u munge -- munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

cat > "$SLURM_CONF" <<EOF
ClusterName=mnsim-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
KillWait=10
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -i
slurmd
for _ in $(seq 120); do
  if [[ $(sinfo -h -o %t 2>/dev/null) == idle ]]; then
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
echo "slurm_local_cluster: the node did not become idle within 60 s; logs in $dir" >&2
sinfo >&2 || true
stop
exit 1
