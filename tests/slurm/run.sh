#!/usr/bin/env bash
# The Slurm test (not part of `dotnet test`: a developer's machine may lack Slurm). Stands up a real one-node Slurm
# cluster on localhost from a private folder (Debian's munged, slurmctld and slurmd, run as root; .ci/run installs
# them: apt-get install munge slurmctld slurmd slurm-client), submits scripts/slurm/submit.sh's pipeline on the
# built-in model (capture as a 4-task array, merge + rank, decompose of 6 heads as a 3-task array, merge), waits for it, and
# checks that every merged result equals what one process writes, byte for byte.
# Prints "ok NAME" / "FAIL NAME" per check and ends with "N passed, N failed"; exits 1 when a check fails.
# Usage: bash tests/slurm/run.sh   (from anywhere; builds src/Cli in Release first)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
passed=0; failed=0
check() {   # check NAME COMMAND...: one test
  if "${@:2}"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

for tool in munged mungekey slurmctld slurmd sbatch squeue scontrol sinfo; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL slurm: $tool not found (apt-get install munge slurmctld slurmd slurm-client)"; failed=1; finish
  fi
done
dotnet build "$root/src/Cli" -c Release -v q -nologo >/dev/null || { echo "FAIL slurm: building src/Cli failed"; failed=1; finish; }
HP="$root/src/Cli/bin/Release/net10.0/headpursuit"

# A private cluster: key, sockets, state, logs and results in one folder, ports of its own.
work=$(mktemp -d /tmp/hp-slurm.XXXXXX)
chmod 711 "$work"   # munged wants its socket's folder searchable by all
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  if [ "$failed" -eq 0 ]; then rm -rf "$work"; else echo "logs and results kept in $work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE   # interrupted: still stop the daemons (through the EXIT trap)
port=$((20000 + RANDOM % 20000))
host=$(hostname)
mkdir -p "$work/state" "$work/spool" "$work/run"
cat > "$work/slurm.conf" <<EOF
ClusterName=hptest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=600
SlurmdParameters=config_overrides
NodeName=hpnode NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=hp Nodes=hpnode Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
mungekey --create --keyfile="$work/munge.key" >/dev/null
munged --foreground --socket="$work/munge.sock" --key-file="$work/munge.key" --pid-file="$work/munged.pid" \
  --log-file="$work/munged.log" --seed-file="$work/munged.seed" 2>"$work/munged.out" & pids+=($!)
for _ in $(seq 50); do [ -S "$work/munge.sock" ] && break; sleep 0.1; done
slurmctld -D -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 & pids+=($!)
slurmd -D -f "$SLURM_CONF" -N hpnode >"$work/slurmd.out" 2>&1 & pids+=($!)
up=false
for _ in $(seq 60); do
  if [ "$(sinfo -h -o %T 2>/dev/null)" = idle ]; then up=true; break; fi
  sleep 0.5
done
check "slurm: a one-node cluster on localhost is up" $up || finish

# The pipeline on the built-in model, 4 capture shards and 3 decompose shards, from its own folder (job logs land there).
export HP OUT="$work/run/out" CONCEPT=colours DECOMPOSE_ARGS="--iterations 5 --heads L0H1,L1H5,L2H6,L3H4,L4H1,L5H7" CAPTURE_SHARDS=4 DECOMPOSE_SHARDS=3
ids=$(cd "$work/run" && bash "$root/scripts/slurm/submit.sh") || { echo "FAIL slurm: sbatch refused the jobs"; failed=$((failed + 1)); finish; }
echo "$ids" | sed 's/^/     /'
jobs=$(echo "$ids" | awk '{print $2}')
for _ in $(seq 300); do
  [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
  sleep 0.5
done
states() { for j in $jobs; do scontrol -o show job "$j" | grep -o 'JobState=[A-Z_]*'; done; }
all_completed() { [ "$(states | grep -vc 'JobState=COMPLETED')" -eq 0 ] && [ "$(states | wc -l)" -eq 9 ]; }   # 4 + 1 + 3 + 1 jobs
check "slurm: the 4 capture tasks, merge-rank, the 3 decompose tasks and merge-decompose completed" all_completed
[ "$failed" -eq 0 ] || { states; tail -n 20 "$work"/run/*.out; }

# One process does the same work: its files must equal the cluster's byte for byte.
single="$work/single"
mkdir -p "$single"
"$HP" capture --out "$single/acts.safetensors" 2>/dev/null
"$HP" rank --activations "$single/acts.safetensors" --concept colours --out "$single/rank" >/dev/null 2>&1
"$HP" decompose --activations "$single/acts.safetensors" $DECOMPOSE_ARGS --out "$single/decompose" >/dev/null 2>&1
same_dirs() { [ -n "$(ls "$1")" ] && diff -r "$1" "$2" >/dev/null; }
check "slurm: merged capture shards == one capture (cmp)" cmp "$OUT/acts.safetensors" "$single/acts.safetensors"
check "slurm: ranking of the merged capture == one process's (every file)" same_dirs "$single/rank" "$OUT/rank"
check "slurm: merged decompose shards == one decomposition (json and md)" same_dirs "$single/decompose" "$OUT/decompose"
finish
