#!/usr/bin/env bash
# SIGTERM and SIGINT at random moments of `ukl tlc` / `ukl cross-check`; reports any ukl-tlc-*
# folder left in the run's java.io.tmpdir (proofs-notes/faults.md, "Signals").
# Usage: proofs-notes/tools/signal-stress.sh [ROUNDS]   (JAR=path overrides checkers/target/ukl.jar)
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="${JAR:-$root/checkers/target/ukl.jar}"
[ -f "$jar" ] || { echo "signal-stress: $jar not built (run ./ukl list ops once)" >&2; exit 2; }
bad=0
for i in $(seq 1 "${1:-10}"); do
  d=$(mktemp -d)
  for sig in TERM INT; do
    cmd=tlc; [ $((i % 2)) = 0 ] && cmd=cross-check
    java -Xss16m -Djava.io.tmpdir="$d" -jar "$jar" $cmd --preset ukl-paper --workload compute --threads 2 >/dev/null 2>"$d/err" &
    pid=$!
    sleep "$(awk -v s=$RANDOM 'BEGIN { srand(s); printf "%.2f", 1 + 5 * rand() }')"
    kill -$sig $pid; wait $pid 2>/dev/null
    sleep 0.5
    left=$(ls "$d" | grep ukl-tlc- || true)
    [ -n "$left" ] && { echo "left behind after SIG$sig of ukl $cmd (round $i): $left"; bad=$((bad + 1)); }
    grep -h "could not remove\|cannot remove" "$d/err"
  done
  rm -rf "$d"
done
echo "rounds: ${1:-10}, folders left behind: $bad"
[ "$bad" = 0 ]
