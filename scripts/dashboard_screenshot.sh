#!/usr/bin/env bash
# Re-takes the README's dashboard screenshot (docs/images/dashboard.png): `make demo`'s upload
# (examples/dataset into collection 1, tasks in project 1) against `synapse-mock serve
# --validate`, then the whole page at /_mock/ in headless Chromium (`make browser` installs
# it). With Debian's `pngquant` on PATH the PNG gets a 64-colour palette (about a quarter of
# the size).
# Usage: scripts/dashboard_screenshot.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/images/dashboard.png}"
bin=.venv/bin
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
"$bin/synapse-mock" serve --port 0 --validate --token screenshot-token >"$work/url" 2>"$work/serve.log" &
pid=$!
until [ -s "$work/url" ]; do sleep 0.1; done
base="$(head -n 1 "$work/url")"
SYNAPSE_BASE_URL="$base" SYNAPSE_ACCESS_TOKEN=screenshot-token "$bin/synapse-dc" upload \
  examples/dataset --collection 1 --project 1 --journal "$work/journal.sqlite3" --progress plain
chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --virtual-time-budget=1000 --window-size=1280,2850 \
  --disable-lcd-text --screenshot="$work/dashboard.png" "$base/_mock/" 2>/dev/null
if command -v pngquant >/dev/null 2>&1; then
  pngquant --force --strip --speed 1 64 --output "$out" "$work/dashboard.png"
else
  cp "$work/dashboard.png" "$out"
fi
echo "$out: $(wc -c <"$out") bytes"
