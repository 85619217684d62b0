# Sourced by the recovery scripts (deploy/recovery-times.sh, deploy/recovery/scorer-recovery-times.sh), from the
# repository root: a work folder, free ports, a millisecond clock, a bounded wait, the clean-up of the processes the
# script started, and the RADAR broker they all run against.
CP="target/classes:target/lib/*"
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
# Only this script's own children that still run (a killed process's pid may be reused by then).
cleanup() { for p in $(jobs -p); do kill -9 "$p" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] && echo "logs: $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT
# await WHAT SECONDS LOG COMMAND...: runs COMMAND every 0.1 s until it succeeds; after SECONDS says that WHAT was not
# reached, shows the end of LOG and exits 1.
await() {
  local what=$1 seconds=$2 log=$3
  local deadline=$(( $(now_ms) + seconds * 1000 ))
  shift 3
  until "$@"; do
    [ "$(now_ms)" -lt "$deadline" ] || { echo "$what not reached after $seconds s; log: $log" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.1
  done
}
# sorted N...: the numbers in ascending order, on one line.
sorted() { printf '%s\n' "$@" | sort -n | tr '\n' ' '; }
# A RADAR broker on a free port, data in $WORK/broker; BOOT is its bootstrap address once it accepts connections.
BPORT=$(free_port)
BOOT="127.0.0.1:$BPORT"
RADAR_JAVA_OPTS=-Xmx768m ./radar broker --port "$BPORT" --data-dir "$WORK/broker" >"$WORK/broker.log" 2>&1 &
until (exec 3<>"/dev/tcp/127.0.0.1/$BPORT") 2>/dev/null; do sleep 0.2; done
