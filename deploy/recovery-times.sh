#!/usr/bin/env bash
# Recovery time of the aggregator after `kill -9` of its process, with separate processes on this machine: a RADAR
# broker (`radar broker`), the aggregator (`radar aggregator`) and a sender of STEPS complete evaluations of SAMPLES
# scores each (deploy/recovery/SendScores.java). Each round kills the aggregator with SIGKILL, restarts it at once
# (as an orchestrator would) and measures the time from the kill until GET /api/reports answers with all STEPS
# complete reports again. Run once with static membership (aggregator.instance.id, the default here) and once
# without (MEMBERSHIP=dynamic). Exactly-once state is not trusted after a crash, so every restart restores the
# stores from their changelogs: the figure grows with the state size.
#
#   mvn -B -q -o package -DskipTests && deploy/recovery-times.sh            # ROUNDS=5 STEPS=50 SAMPLES=200
#   MEMBERSHIP=dynamic deploy/recovery-times.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
STEPS=${STEPS:-50}
SAMPLES=${SAMPLES:-200}
MEMBERSHIP=${MEMBERSHIP:-static}
CP="target/classes:target/lib/*"
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BPORT=$(free_port); WPORT=$(free_port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] && echo "logs: $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT
now_ms() { date +%s%3N; }

RADAR_JAVA_OPTS=-Xmx768m ./radar broker --port "$BPORT" --data-dir "$WORK/broker" >"$WORK/broker.log" 2>&1 &
PIDS+=($!)
until (exec 3<>"/dev/tcp/127.0.0.1/$BPORT") 2>/dev/null; do sleep 0.2; done
java -Xmx256m -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.radar.events -cp "$CP" deploy/recovery/SendScores.java \
  "127.0.0.1:$BPORT" recovery-run "$STEPS" "$SAMPLES" >"$WORK/send.log" 2>&1

MEMBER=()
[ "$MEMBERSHIP" = static ] && MEMBER=(-D aggregator.instance.id=recovery-agg-0)
start_aggregator() {
  RADAR_JAVA_OPTS=-Xmx768m ./radar aggregator -b "127.0.0.1:$BPORT" --progress-every 0 \
    -D aggregator.application.id=recovery-agg -D "aggregator.state.dir=$WORK/state" "${MEMBER[@]}" \
    -D web.bind=127.0.0.1 -D "web.port=$WPORT" >>"$WORK/aggregator.log" 2>&1 &
  AGG=$!
  PIDS+=("$AGG")
}
served() {
  [ "$(curl -s --max-time 2 "http://127.0.0.1:$WPORT/api/reports?run=recovery-run" | grep -o '"complete":true' | wc -l)" -ge "$STEPS" ]
}
wait_served() {
  local deadline=$(( $(now_ms) + 300000 ))
  until served; do
    [ "$(now_ms)" -lt "$deadline" ] || { echo "not served after 300 s; log: $WORK/aggregator.log" >&2; tail -20 "$WORK/aggregator.log" >&2; exit 1; }
    sleep 0.1
  done
}

start_aggregator
t0=$(now_ms); wait_served
echo "first start (empty state, $STEPS x $SAMPLES scores): $(( $(now_ms) - t0 )) ms"
times=()
for round in $(seq 1 "$ROUNDS"); do
  sleep 2 # let a commit or two pass, as in steady operation
  kill -9 "$AGG"; wait "$AGG" 2>/dev/null || true
  t0=$(now_ms)
  start_aggregator
  wait_served
  times+=($(( $(now_ms) - t0 )))
  echo "round $round: kill -9 -> serving all $STEPS reports again: ${times[-1]} ms"
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
echo "membership=$MEMBERSHIP rounds=$ROUNDS: sorted ms: $sorted"
