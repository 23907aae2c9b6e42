#!/usr/bin/env bash
# Filter throughput with 1, 2, 3, ... `sieve stream` instances of one application on one machine:
# a development broker (`sieve broker`), N filter JVMs (each one Kafka Streams thread and one
# PyTorch intra-op thread, --no-victim-updater, all judging with the same pre-trained Victim given
# by --initial-victim), and `sieve loadtest --bootstrap-servers ... --ramp` driving them. For each N
# it prints the highest rate the N instances sustained, and each instance's share of the verdicts
# (from its own sieve_verdicts_total). Everything runs on this machine and shares its cores.
#
#   scripts/scaling.sh                  # N = 1 2 3
#   scripts/scaling.sh 2 4              # other instance counts
#   RAMP="--start-rate 300 --factor 1.5 --step-seconds 15" scripts/scaling.sh
#   LOAD="--rate 1000 --duration 40" scripts/scaling.sh   # one fixed-rate step instead of the ramp:
#                                                          # above capacity, its verdicts/s is the throughput
#
# Needs a built cli/target/sieve.jar (./sieve --help builds it); the jar is copied first, so a
# rebuild during the run does not pull it from under the JVMs. Work files: $WORK (default: a
# temporary directory), kept for reading the logs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNTS=("${@:-1 2 3}")
read -r -a COUNTS <<< "${COUNTS[*]}"
WORK="${WORK:-$(mktemp -d /tmp/sieve-scaling.XXXXXX)}"
PORT="${PORT:-19192}"
RAMP="${RAMP:---start-rate 500 --factor 1.6 --step-seconds 15 --max-rate 20000}"
LOAD="${LOAD:---ramp $RAMP}"
BOOT="127.0.0.1:$PORT"
PIDS=()

mkdir -p "$WORK"
cp "$ROOT/cli/target/sieve.jar" "$WORK/sieve.jar"
# An array, not a function: `"${SIEVE[@]}" ... &` makes $! the JVM's own pid, so that stop_all
# stops the JVMs (a backgrounded function would be a subshell with the JVM as its child).
SIEVE=(java -Xmx1g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1
  -cp "$WORK/sieve.jar:$ROOT/cli/target/lib/*" dev.sieve.cli.Sieve)
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_all
  [ -n "${BROKER:-}" ] && kill "$BROKER" 2>/dev/null && wait "$BROKER" 2>/dev/null
  true
}
trap cleanup EXIT
# Waits (a hang guard, not a pace) until FILE has a line matching PATTERN.
await_line() {
  local file=$1 pattern=$2 limit=${3:-900} waited=0
  until grep -q -- "$pattern" "$file" 2>/dev/null; do
    sleep 1; waited=$((waited + 1))
    if [ "$waited" -ge "$limit" ]; then echo "no '$pattern' in $file after ${limit}s" >&2; tail -30 "$file" >&2; exit 1; fi
  done
}

echo "work: $WORK; commit $(git -C "$ROOT" rev-parse --short HEAD); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"${SIEVE[@]}" broker --port "$PORT" --data-dir "$WORK/broker" > "$WORK/broker.log" 2>&1 &
BROKER=$!
await_line "$WORK/broker.log" "$BOOT"

# A Victim to judge with: the updater's first version on the first 1,000 samples.
"${SIEVE[@]}" produce --bootstrap-servers "$BOOT" --topic-prefix warm. --limit 1000 > "$WORK/warm-produce.log" 2>&1
"${SIEVE[@]}" stream --bootstrap-servers "$BOOT" --topic-prefix warm. --application-id warm --state-dir "$WORK/warm-state" \
  --checkpoint-dir "$WORK/victim" --warmup-samples 1000 --no-metrics > "$WORK/warm-stream.log" 2>&1 &
PIDS+=($!)
await_line "$WORK/warm-stream.log" "published victim v1"
stop_all
VICTIM=$(ls "$WORK"/victim/*-v0000000001.ckpt | head -1)
echo "victim: $VICTIM"

for n in "${COUNTS[@]}"; do
  prefix="scale$n."
  for i in $(seq 1 "$n"); do
    "${SIEVE[@]}" stream --bootstrap-servers "$BOOT" --topic-prefix "$prefix" --application-id "scale$n" \
      --state-dir "$WORK/state-$n-$i" --checkpoint-dir "$WORK/victim" --no-victim-updater \
      --initial-victim "$VICTIM" --metrics-port $((9500 + 10 * n + i)) --progress-every-s 1 \
      > "$WORK/stream-$n-$i.log" 2>&1 &
    PIDS+=($!)
  done
  for i in $(seq 1 "$n"); do await_line "$WORK/stream-$n-$i.log" "sieve stream: RUNNING"; done
  "${SIEVE[@]}" loadtest --bootstrap-servers "$BOOT" --topic-prefix "$prefix" --application-id "scale$n" --limit 10000 $LOAD \
    --json "$WORK/load-$n.json" > "$WORK/load-$n.log" 2>&1
  shares=""
  for i in $(seq 1 "$n"); do
    v=$(curl -s "http://127.0.0.1:$((9500 + 10 * n + i))/metrics" \
      | awk '/^sieve_verdicts_total/ { s += $2 } END { printf "%d", s }')
    shares="$shares $v"
  done
  echo "instances $n: $(grep -o 'target .*' "$WORK/load-$n.log" | tail -1)"
  echo "instances $n: $(grep 'highest sustained' "$WORK/load-$n.log" || echo 'no step sustained'); verdicts per instance:$shares"
  stop_all
done
