#!/usr/bin/env bash
# A single-node Slurm cluster without systemd, for lth's Slurm tests and for trying
# `lth ... --platform=slurm` on one machine. Run as root:
#
#   .ci/slurm-cluster.sh start     # munged, slurmctld, slurmd; prints the SLURM_CONF to export
#   .ci/slurm-cluster.sh status    # sinfo
#   .ci/slurm-cluster.sh stop      # stops the three daemons by their pid files
#
# Needs Debian's slurm-wlm and munge (apt-get install slurm-wlm munge). Everything the cluster
# writes (slurm.conf, state, logs, pid files) lives in $LTH_SLURM_DIR (default /tmp/lth-slurm).
set -euo pipefail
DIR="${LTH_SLURM_DIR:-/tmp/lth-slurm}"
CONF="$DIR/slurm.conf"
MUNGE_RUN=/run/munge

die() { echo "slurm-cluster: $*" >&2; exit 1; }

wait_for() { # seconds, description, command...
  local n=$1 what=$2; shift 2
  for _ in $(seq 1 "$((n * 5))"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not come up in ${n}s (logs in $DIR)"
}

write_conf() {
  local host node
  host="$(hostname -s)"
  node="$(slurmd -C | head -n1)"
  [[ "$node" == NodeName=* ]] || die "slurmd -C printed no NodeName line"
  cat >"$CONF" <<CONF
ClusterName=lth
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
JobRequeue=0
MinJobAge=86400
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmdSpoolDir=$DIR/slurmd
StateSaveLocation=$DIR/state
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  [ "$(id -u)" = 0 ] || die "run me as root (the daemons need it)"
  command -v slurmctld >/dev/null && command -v munged >/dev/null || die "install slurm-wlm and munge first: apt-get install slurm-wlm munge"
  mkdir -p "$DIR/state" "$DIR/slurmd"
  export SLURM_CONF="$CONF"
  if ! alive "$MUNGE_RUN/munged.pid"; then
    install -d -o munge -g munge -m 711 "$MUNGE_RUN"
    install -d -o munge -g munge -m 700 /var/log/munge /var/lib/munge
    [ -f /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
    runuser -u munge -- munged
    wait_for 10 munged munge -n
  fi
  alive "$DIR/slurmctld.pid" && alive "$DIR/slurmd.pid" && { echo "export SLURM_CONF=$CONF"; return; }
  write_conf
  alive "$DIR/slurmctld.pid" || slurmctld -f "$CONF"
  alive "$DIR/slurmd.pid" || slurmd -f "$CONF"
  wait_for 30 "the node" sh -c "sinfo -h -o %T | grep -Eq '^(idle|mixed|allocated)'"
  echo "export SLURM_CONF=$CONF"
}

stop() {
  local f
  for f in "$DIR/slurmd.pid" "$DIR/slurmctld.pid" "$MUNGE_RUN/munged.pid"; do
    if alive "$f"; then
      local pid; pid="$(cat "$f")"
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) SLURM_CONF="$CONF" sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
