#!/usr/bin/env bash
# Measures the HTML report against its budgets: builds the release binary, runs every feature
# against the reference provider as it is (all pass) and against it with five deliberate faults,
# prints the size of index.html and results.json of each run and, when Chromium is installed, the
# time until the page's load event, an A4 PDF with page numbers and its page count (pdfinfo, from
# poppler-utils, when present), and screenshots: the top, a failure group, a failed scenario with
# its culprit exchange, the requirement matrix.
#
#   scripts/report-check.sh [--debug] [OUT_DIR]        (default target/report-check)
#
# --debug uses the debug binary (target/debug, built if missing) instead of building a release one:
# the report is the same, the runs take a little longer.
#
# Budgets (README, "Reading the report"): all-pass index.html <= 5 MiB; five-fault index.html <= 8 MiB
# and loaded in < 2 s; results.json <= 20 MiB; the five-fault PDF <= 150 pages, printed in < 30 s.
set -euo pipefail

cd "$(dirname "$0")/.."
PROFILE=release
if [ "${1:-}" = "--debug" ]; then PROFILE=debug; shift; fi
OUT="${1:-target/report-check}"
FAULTS=(omit-etag slot-search-drops-last-day structured-filter-returns-nothing find-returns-deceased accept-stale-if-match)
mkdir -p "$OUT"

echo "== building the $PROFILE binary"
if [ "$PROFILE" = release ]; then
  cargo build --release --locked --quiet
elif [ ! -x target/debug/gpc-assure ]; then
  cargo build --locked --quiet
fi
BIN="$PWD/target/$PROFILE/gpc-assure"

SERVE_PID=""
cleanup() { if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

echo "== all-pass run (the reference provider as it is)"
rm -rf "$OUT/all-pass"
"$BIN" run --quiet --out "$OUT/all-pass" >"$OUT/all-pass.log" 2>&1 || echo "   (exit $?; see $OUT/all-pass.log)"

echo "== five-fault run: ${FAULTS[*]}"
fault_args=()
for f in "${FAULTS[@]}"; do fault_args+=(--fault "$f"); done
"$BIN" serve --addr 127.0.0.1:0 "${fault_args[@]}" >"$OUT/serve.log" 2>&1 &
SERVE_PID=$!
ROOT=""
for _ in $(seq 1 100); do
  ROOT=$(sed -n 's/^  Foundations\/Appointments *\(http[^ ]*\)$/\1/p' "$OUT/serve.log" | head -1)
  [ -n "$ROOT" ] && break
  sleep 0.1
done
if [ -z "$ROOT" ]; then
  echo "the faulty reference provider did not start; see $OUT/serve.log" >&2
  exit 1
fi
rm -rf "$OUT/five-faults"
"$BIN" run --quiet --target "$ROOT" --out "$OUT/five-faults" >"$OUT/five-faults.log" 2>&1 || echo "   (exit $?, failures expected)"
kill "$SERVE_PID" 2>/dev/null || true
wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=""

mb() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
echo
printf '%-12s %-14s %-14s\n' run index.html results.json
for run in all-pass five-faults; do
  html_bytes=$(stat -c %s "$OUT/$run/index.html")
  json_bytes=$(stat -c %s "$OUT/$run/results.json")
  printf '%-12s %-14s %-14s\n' "$run" "$(mb "$html_bytes")" "$(mb "$json_bytes")"
done
echo

CHROMIUM=""
for c in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$c" >/dev/null 2>&1; then CHROMIUM=$(command -v "$c"); break; fi
done
if [ -z "$CHROMIUM" ]; then
  echo "Chromium is not installed: load time, PDF and screenshots skipped (apt-get install chromium poppler-utils)."
  exit 0
fi
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "Node.js 20 or later is not installed: load time, PDF and screenshots skipped (they drive Chromium through its DevTools protocol)."
  exit 0
fi
for run in all-pass five-faults; do
  echo "== $run in $CHROMIUM"
  result=$(node --experimental-websocket --no-warnings scripts/report-check.mjs "$CHROMIUM" "$OUT/$run/index.html" "$OUT/$run")
  echo "$result" | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log(`   load event after ${r.load_ms} ms (navigation timing: ${r.dom_load_ms} ms)`);
    console.log(`   A4 PDF ${r.pdf} printed in ${r.print_ms} ms`);
    for (const s of r.screenshots) console.log(`   screenshot ${s}`);'
  if command -v pdfinfo >/dev/null 2>&1; then
    echo "   $(pdfinfo "$OUT/$run.pdf" | grep '^Pages:' | tr -s ' ')"
  else
    echo "   pdfinfo is not installed (poppler-utils): page count skipped"
  fi
done
