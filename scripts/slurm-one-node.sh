#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, as root, for paranom's scheduler test and for
# trying the README's Slurm example:
#
#   scripts/slurm-one-node.sh start    install slurm-wlm + munge if missing, start munged,
#                                      slurmctld and slurmd; prints `export SLURM_CONF=...`
#   scripts/slurm-one-node.sh stop     stop the daemons this script started
#
# Everything but the munge key lives in $PARANOM_SLURM_DIR (default /tmp/paranom-slurm):
# the configuration, state, logs and pid files; client commands find the cluster through
# SLURM_CONF. The daemons listen on $PARANOM_SLURM_PORTS ("CTLD,D"), by default two ports
# the kernel reports free at start, so the cluster cannot collide with another Slurm
# (or another copy of this cluster) on the machine. Exit 3 when the packages cannot be installed (not root, no apt-get, no
# network), so a caller can tell "no Slurm here" from a failure.
set -euo pipefail

DIR=${PARANOM_SLURM_DIR:-/tmp/paranom-slurm}
CONF=$DIR/slurm.conf

install_packages() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "slurm-one-node: slurm-wlm and munge are not installed, and apt-get as root is not available" >&2
    exit 3
  fi
  # Another apt-get may hold the lock for a while: retry, then refresh the lists once.
  for attempt in 1 2 3 4 5 6; do
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >"$DIR/apt.log" 2>&1; then return 0; fi
    if [ "$attempt" = 3 ]; then apt-get update -q >>"$DIR/apt.log" 2>&1 || true; fi
    sleep 5
  done
  echo "slurm-one-node: apt-get install slurm-wlm munge failed (see $DIR/apt.log)" >&2
  exit 3
}

start_munge() {
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
  fi
  if ! munge -n >/dev/null 2>&1; then
    mkdir -p /run/munge /var/lib/munge /var/log/munge
    chown munge:munge /run/munge /var/lib/munge /var/log/munge
    runuser -u munge -- /usr/sbin/munged
    touch "$DIR/munged.ours"
    for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

# A TCP port nothing listens on now: one the kernel hands out for port 0.
free_port() {
  node -e "const s = require('node:net').createServer().listen(0, () => { console.log(s.address().port); s.close(); });"
}

write_conf() {
  local host cpus mem ctld_port d_port
  if [ -n "${PARANOM_SLURM_PORTS:-}" ]; then
    IFS=, read -r ctld_port d_port <<<"$PARANOM_SLURM_PORTS"
  else
    ctld_port=$(free_port)
    d_port=$(free_port)
    while [ "$d_port" = "$ctld_port" ]; do d_port=$(free_port); done
  fi
  host=$(hostname)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
  mkdir -p "$DIR/ctld" "$DIR/d"
  cat >"$CONF" <<CONF
ClusterName=paranom
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobRequeue=1
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/d
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  mkdir -p "$DIR"
  # Daemons a previous start in this directory left running (a killed test) are ended.
  stop
  install_packages
  start_munge
  write_conf
  export SLURM_CONF=$CONF
  slurmctld -f "$CONF"
  slurmd -f "$CONF"
  # The node registers within a few seconds; a node left DOWN by an earlier run is resumed.
  for _ in $(seq 100); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
    case "$state" in
      idle*|mix*|alloc*) echo "export SLURM_CONF=$CONF"; return 0 ;;
      down*|drain*) scontrol update nodename="$(hostname)" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
  done
  echo "slurm-one-node: the node did not come up (see $DIR/slurmctld.log, $DIR/slurmd.log)" >&2
  stop
  exit 1
}

stop_pidfile() {
  local f=$1
  [ -s "$f" ] || return 0
  local pid
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$f"
}

stop() {
  stop_pidfile "$DIR/slurmd.pid"
  stop_pidfile "$DIR/slurmctld.pid"
  if [ -e "$DIR/munged.ours" ]; then
    stop_pidfile /run/munge/munged.pid
    rm -f "$DIR/munged.ours"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
