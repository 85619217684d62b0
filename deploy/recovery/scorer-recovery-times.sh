#!/usr/bin/env bash
# Recovery time of scoring after `kill -9` of one of two scorers, with separate processes on this machine: a RADAR
# broker (`radar broker`), a planner, and two scorers with static group membership (scorer.group.instance.id) on the
# tiny TorchScript model of models/tiny-mllm and a synthetic benchmark cut into many small shards (the planner plans
# one template evaluation, scored first). Each round, deploy/recovery/ScorerRecoveryWatch.java re-publishes the
# template's tasks under a new run id onto the victim's partitions only (so the survivor is idle and the figure is the
# takeover, not the survivor's own backlog); once the victim has committed some and has tasks left, it kills it with
# kill -9 and measures:
#   resumed:  kill -> the first shard of the victim's partitions scored and committed by their next owner (the
#             committed offset of the scorer group moved on);
#   complete: kill -> all of the round's scores visible to a read_committed reader of radar.sample-scores.
# It also counts samples committed twice (exactly-once: must be 0).
#   MODE=loss     the victim is not restarted (a node lost): the survivor takes its partitions over once the group
#                 session (scorer.session.timeout.ms) has expired.
#   MODE=restart  the victim is restarted at once with the same scorer.id and instance id (a pod restart): it gets
#                 its partitions back without a rebalance and fences its predecessor's open transaction.
# Each loss round restarts the victim afterwards for the next round (not measured).
#
#   mvn -B -q -o package -DskipTests && deploy/recovery/scorer-recovery-times.sh      # MODE=loss ROUNDS=5
#   MODE=restart deploy/recovery/scorer-recovery-times.sh
#   SAMPLES=40 PER_SHARD=4: 320 samples in 80 shards per round; extra scorer settings, e.g. the defaults before 6 s:
#   SCORER_OPTS="-D scorer.session.timeout.ms=10000 -D kafka.heartbeat.interval.ms=2500" deploy/recovery/scorer-recovery-times.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
MODE=${MODE:-loss}
ROUNDS=${ROUNDS:-5}
SAMPLES=${SAMPLES:-40}
PER_SHARD=${PER_SHARD:-4}
read -r -a SCORER_OPTS <<<"${SCORER_OPTS:-}"
CHECKPOINT=$(realpath models/tiny-mllm/checkpoints/step-000100)
[ "$MODE" = loss ] || [ "$MODE" = restart ] || { echo "MODE must be loss or restart" >&2; exit 2; }
source deploy/recovery/common.sh
declare -A PID PORT
RADAR_JAVA_OPTS=-Xmx256m ./radar bench-gen --out "$WORK/bench" --samples "$SAMPLES" >/dev/null 2>&1

RADAR_JAVA_OPTS=-Xmx512m ./radar planner -b "$BOOT" -D "benchmarks.m3-bench.path=$WORK/bench" \
  -D "planner.allowed.roots=$(dirname "$CHECKPOINT")" -D "planner.samples.per.shard=$PER_SHARD" \
  -D web.bind=127.0.0.1 -D "web.port=$(free_port)" >"$WORK/planner.log" 2>&1 &

start_scorer() { # $1 = scorer-0 | scorer-1: the same id and instance id on every restart
  [ -n "${PORT[$1]:-}" ] || PORT[$1]=$(free_port)
  RADAR_JAVA_OPTS=-Xmx1g ./radar scorer -b "$BOOT" --id "$1" -D "scorer.group.instance.id=$1" \
    -D "planner.allowed.roots=$(dirname "$CHECKPOINT")" -D web.bind=127.0.0.1 -D "web.port=${PORT[$1]}" \
    "${SCORER_OPTS[@]}" >>"$WORK/$1.log" 2>&1 &
  PID[$1]=$!
}
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:${PORT[$1]}/health/ready")" = 200 ]; }
await_ready() { await "$1 ready" 120 "$WORK/$1.log" ready "$1"; }
start_scorer scorer-0
start_scorer scorer-1
await_ready scorer-0
await_ready scorer-1
# The template evaluation: planned once, scored by both (which loads the model in each); every round re-publishes its
# tasks under a new run id.
RADAR_JAVA_OPTS=-Xmx256m ./radar publish -b "$BOOT" --run recovery-template --step 100 --checkpoint "$CHECKPOINT" >/dev/null 2>&1
echo "mode=$MODE: $(( SAMPLES * 8 )) samples per round in shards of $PER_SHARD; scorer options: ${SCORER_OPTS[*]:-(defaults)}"

resumed=(); complete=()
for round in $(seq 1 "$ROUNDS"); do
  victim=scorer-$(( round % 2 ))
  run="recovery-$MODE-$round"
  rm -f "$WORK/killed"
  java -Xmx256m -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.radar.events -cp "$CP" \
    deploy/recovery/ScorerRecoveryWatch.java "$BOOT" radar-scorers "$victim" "${PID[$victim]}" recovery-template "$run" \
    "$WORK/killed" >"$WORK/watch-$round.out" 2>>"$WORK/watch.log" &
  watch=$!
  until [ -f "$WORK/killed" ] || ! kill -0 "$watch" 2>/dev/null; do sleep 0.01; done
  [ "$MODE" = restart ] && [ -f "$WORK/killed" ] && start_scorer "$victim"
  wait "$watch" || { echo "round $round failed; see $WORK/watch.log" >&2; KEEP=1; tail -5 "$WORK/watch.log" >&2; exit 1; }
  read -r r c d <"$WORK/watch-$round.out"
  [ "$d" = 0 ] || { echo "round $round: $d samples committed twice" >&2; KEEP=1; exit 1; }
  resumed+=("$r"); complete+=("$c")
  echo "round $round: kill -9 $victim -> its shards resumed ${r} ms, round complete ${c} ms, duplicates 0"
  [ "$MODE" = loss ] && start_scorer "$victim"
  await_ready "$victim"
done
echo "mode=$MODE rounds=$ROUNDS: resumed sorted ms: $(sorted "${resumed[@]}")"
echo "mode=$MODE rounds=$ROUNDS: complete sorted ms: $(sorted "${complete[@]}")"
