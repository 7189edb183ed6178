#!/usr/bin/env bash
# Fuzzes a live `retina serve` on loopback against its own OpenAPI document with schemathesis
# (PyPI), bounded in time: no 5xx, no response outside the schema (status, content type, body,
# headers), schema-violating requests refused, no endpoint open without a token, 405 for methods
# a path does not take. Part of scripts/test; alone: scripts/fuzz-office.sh [SECONDS].
#   FUZZ_SEED (default 1) makes a run repeatable; the report is .build/fuzz-office/junit.xml.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_BUDGET="${1:-${FUZZ_SECONDS:-180}}"
SEED="${FUZZ_SEED:-1}"
RETINA=.build/debug/retina
VENV=.build/venv-fuzz
SCHEMATHESIS_VERSION=4.32.5
[[ -x "$RETINA" ]] || { echo "fuzz-office: $RETINA is missing: run swift build first" >&2; exit 1; }

# schemathesis in a venv of its own, installed once (pinned: its checks change between versions).
if [[ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
  echo "fuzz-office: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || { echo "fuzz-office: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK="$(mktemp -d /tmp/retina-fuzz.XXXXXX)"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

STORE="sqlite:$WORK/events.db"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
"$RETINA" keys init --out "$WORK/site-key.pem" >/dev/null 2>&1
ADMIN="$("$RETINA" tokens create --role admin --name fuzz-admin --store "$STORE" 2>/dev/null)"
PRODUCER="$("$RETINA" tokens create --role producer --name fuzz-producer --store "$STORE" 2>/dev/null)"

"$RETINA" serve --port "$PORT" --store "$STORE" --evidence "$WORK/evidence" --exports "$WORK/exports" \
  --export-key "$WORK/site-key.pem" --iva-device-id 31011500005030000001 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -sf "$BASE/api/openapi.json" -o /dev/null && break; sleep 0.1; done

# Something to find: a fall with an uploaded snapshot, and a crowd event.
FALL=6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f
NOW="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
curl -sf -X POST "$BASE/api/events" -H "Authorization: Bearer $PRODUCER" -H 'Content-Type: application/json' -o /dev/null -d "[
  {\"id\": \"$FALL\", \"type\": \"fall.detected\", \"source\": {\"producer\": \"fall-detection\"}, \"occurredAt\": \"$NOW\",
   \"payload\": {\"subjectRef\": \"resident-0412\", \"deviceType\": \"radar\"}},
  {\"type\": \"crowd.density\", \"level\": \"orange\", \"priority\": \"P2\", \"source\": {\"producer\": \"retina\", \"camera\": \"gate-1\"}, \"occurredAt\": \"$NOW\"}]"
ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=size=160x120 -frames:v 1 "$WORK/snap.jpg"
curl -sf -X POST "$BASE/api/events/$FALL/evidence" -H "Authorization: Bearer $PRODUCER" -H 'Content-Type: image/jpeg' \
  --data-binary "@$WORK/snap.jpg" -o /dev/null

# The live stream never ends by design, so it is left out; everything else is fuzzed as admin
# (every role's routes). positive_data_acceptance is not asked for: the document cannot say in
# JSON Schema that a fall names its subject, or that an export picks exactly one selection.
mkdir -p .build/fuzz-office
status=0
timeout $((SECONDS_BUDGET + 60)) "$VENV/bin/schemathesis" run Sources/Office/Resources/openapi.json --url "$BASE" \
  -H "Authorization: Bearer $ADMIN" --checks all --exclude-checks positive_data_acceptance --exclude-path /api/stream \
  --max-examples 40 --max-time "$SECONDS_BUDGET" --seed "$SEED" --no-color --request-timeout 10 \
  --report junit --report-junit-path .build/fuzz-office/junit.xml >"$WORK/schemathesis.log" 2>&1 || status=$?
# The summary, without the closing "N passed" line that a CI reader could take for the test run's.
sed -n '/SUMMARY/,$p' "$WORK/schemathesis.log" | grep -vE '^=+ .* in [0-9.]+s =+$' | sed 's/^/fuzz-office: /'
if ((status != 0)); then
  echo "fuzz-office: FAILED (schemathesis exit $status); the whole log:" >&2
  cat "$WORK/schemathesis.log" >&2
  echo "fuzz-office: server log:" >&2
  tail -50 "$WORK/serve.log" >&2
fi
if grep -qE '→ 5[0-9][0-9]:' "$WORK/serve.log"; then
  echo "fuzz-office: the server logged a 5xx:" >&2
  grep -E '→ 5[0-9][0-9]:' "$WORK/serve.log" | head >&2
  status=1
fi
exit "$status"
