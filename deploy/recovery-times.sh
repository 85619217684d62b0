#!/usr/bin/env bash
# Recovery time of the aggregator after `kill -9` of its process, with separate processes on this machine: a RADAR
# broker (`radar broker`), aggregator(s) (`radar aggregator`) and a sender of STEPS complete evaluations of SAMPLES
# scores each (deploy/recovery/SendScores.java).
#
# MODE=restart (default): one aggregator. Each round kills it with SIGKILL, restarts it at once (as an orchestrator
# would) and measures the time from the kill until GET /api/reports answers with all STEPS complete reports again.
# Run once with static membership (aggregator.instance.id, the default here) and once without (MEMBERSHIP=dynamic).
# Exactly-once state is not trusted after a crash, so every restart restores the stores from their changelogs: the
# figure grows with the state size.
#
# MODE=failover: two replicas of one application (same application.id; each its own state dir, instance id and web
# port, which is also its aggregator.replica.endpoint; one standby each). Each round kills one with SIGKILL (the two
# take turns) and measures the time from the kill until the OTHER answers GET /api/reports with all STEPS complete
# reports; then it restarts the killed one and waits until both serve everything before the next round.
#
#   mvn -B -q -o package -DskipTests && deploy/recovery-times.sh            # ROUNDS=5 STEPS=50 SAMPLES=200
#   MEMBERSHIP=dynamic deploy/recovery-times.sh
#   MODE=failover deploy/recovery-times.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
STEPS=${STEPS:-50}
SAMPLES=${SAMPLES:-200}
MEMBERSHIP=${MEMBERSHIP:-static}
MODE=${MODE:-restart}
case "$MODE" in restart) REPLICAS=1 ;; failover) REPLICAS=2 ;; *) echo "MODE must be restart or failover, was $MODE" >&2; exit 2 ;; esac
source deploy/recovery/common.sh
WPORTS=(); for i in $(seq 0 $((REPLICAS - 1))); do WPORTS+=("$(free_port)"); done
AGG=()

java -Xmx256m -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.radar.events -cp "$CP" deploy/recovery/SendScores.java \
  "$BOOT" recovery-run "$STEPS" "$SAMPLES" >"$WORK/send.log" 2>&1

# start_aggregator I: replica I (0 or 1), its own state, instance id and port; with two, each announces its web
# address as the replica endpoint (which must be its web.port).
start_aggregator() {
  local i=$1 opts=()
  [ "$MEMBERSHIP" = static ] && opts+=(-D "aggregator.instance.id=recovery-agg-$i")
  [ "$REPLICAS" -gt 1 ] && opts+=(-D "aggregator.replica.endpoint=127.0.0.1:${WPORTS[$i]}")
  RADAR_JAVA_OPTS=-Xmx768m ./radar aggregator -b "$BOOT" --progress-every 0 \
    -D aggregator.application.id=recovery-agg -D "aggregator.state.dir=$WORK/state-$i" "${opts[@]}" \
    -D web.bind=127.0.0.1 -D "web.port=${WPORTS[$i]}" >>"$WORK/aggregator-$i.log" 2>&1 &
  AGG[$i]=$!
}
# served I: replica I answers with all STEPS complete reports (COMPLETE: how many it gave).
served() {
  COMPLETE=$(curl -s --max-time 2 "http://127.0.0.1:${WPORTS[$1]}/api/reports?run=recovery-run" | grep -o '"complete":true' | wc -l)
  [ "$COMPLETE" -ge "$STEPS" ]
}
wait_served() { await "replica $1 serving all reports" 300 "$WORK/aggregator-$1.log" served "$1"; }

t0=$(now_ms)
for i in $(seq 0 $((REPLICAS - 1))); do start_aggregator "$i"; done
for i in $(seq 0 $((REPLICAS - 1))); do wait_served "$i"; done
echo "first start ($REPLICAS replica(s), empty state, $STEPS x $SAMPLES scores): $(( $(now_ms) - t0 )) ms"
times=()
for round in $(seq 1 "$ROUNDS"); do
  sleep 2 # let a commit or two pass (and standbys catch up), as in steady operation
  if [ "$MODE" = restart ]; then
    kill -9 "${AGG[0]}"; wait "${AGG[0]}" 2>/dev/null || true
    t0=$(now_ms)
    start_aggregator 0
    wait_served 0
    times+=($(( $(now_ms) - t0 )))
    echo "round $round: kill -9 -> serving all $STEPS reports again: ${times[-1]} ms"
  else
    victim=$(( (round - 1) % 2 )); other=$(( 1 - victim ))
    kill -9 "${AGG[$victim]}"; wait "${AGG[$victim]}" 2>/dev/null || true
    t0=$(now_ms)
    wait_served "$other"
    times+=($(( $(now_ms) - t0 )))
    # Restart the killed one; until it serves, count the polls in which the survivor did not serve everything (the
    # rebalances: the survivor taking over after the session timeout, the restarted replica rejoining).
    t1=$(now_ms); polls=0; gaps=0
    start_aggregator "$victim"
    until served "$victim"; do
      polls=$((polls + 1))
      served "$other" || { gaps=$((gaps + 1)); echo "$(date +%T.%3N) round $round: replica $other gave $COMPLETE of $STEPS" >>"$WORK/gaps.log"; }
      [ $(( $(now_ms) - t1 )) -lt 300000 ] || { echo "replica $victim not served after 300 s; log: $WORK/aggregator-$victim.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "round $round: kill -9 of replica $victim -> replica $other serves all $STEPS reports: ${times[-1]} ms" \
      "(restarted replica $victim serving again after $(( $(now_ms) - t1 )) ms; replica $other short of all reports" \
      "in $gaps of $polls polls from the kill until then)"
  fi
done
echo "mode=$MODE membership=$MEMBERSHIP rounds=$ROUNDS steps=$STEPS samples=$SAMPLES: sorted ms: $(sorted "${times[@]}")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
