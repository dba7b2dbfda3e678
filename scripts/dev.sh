#!/usr/bin/env bash
# make dev: builds the worker and the console (wrangler.toml's [build] command) and serves both with
# `wrangler dev` (real workerd, local KV and Durable Objects) on 127.0.0.1:$PORT,
# in front of the built-in WAHA simulator unless UPSTREAM_URL is set (the simulator speaks both
# dialects: UPSTREAM_DIALECT=wadial makes the worker use its Wadial-style API). Every setting of
# wrangler.toml can be overridden from the environment.
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/dev-vars.sh"
cd "$root"

PORT=${PORT:-8787}
SIM_PORT=${SIM_PORT:-3001}
default_key=groupgate-dev-key-0001
export API_KEYS=${API_KEYS:-$default_key}
# The banner shows the client key only when it is the built-in development key, never one of yours.
dev_key=${API_KEYS%%,*}
dev_key=${dev_key%%:*}
if [ "$dev_key" = "$default_key" ]; then
  key_line="development client key: $dev_key"
  sign_in="the development client key"
else
  key_line="client key: one of the keys in your API_KEYS (not shown here)"
  sign_in="a key from your API_KEYS"
  dev_key='<a key from API_KEYS>'
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [ -z "${UPSTREAM_URL:-}" ]; then
  export UPSTREAM_API_KEY=${UPSTREAM_API_KEY:-groupgate-dev-upstream-key}
  # With WEBHOOK_HMAC_KEY set, the simulator sends its signed group.v2.* webhooks to the worker.
  sim_webhook_url=${WEBHOOK_HMAC_KEY:+http://127.0.0.1:$PORT/webhooks/waha}
  SIM_PORT=$SIM_PORT SIM_API_KEY=$UPSTREAM_API_KEY SIM_WEBHOOK_URL=$sim_webhook_url \
    SIM_WEBHOOK_HMAC_KEY=${WEBHOOK_HMAC_KEY:-} node sim/waha-sim.mjs &
  pids+=($!)
  export UPSTREAM_URL="http://127.0.0.1:$SIM_PORT"
fi
: "${UPSTREAM_API_KEY:?set UPSTREAM_API_KEY to the key of the WAHA server at UPSTREAM_URL}"

# Local settings for wrangler dev (git-ignored, mode 600): secrets plus every setting set in the
# environment, quoted so that wrangler reads each value back unchanged (scripts/dev-vars.sh); a value
# that cannot be stops make dev here, naming the variable only.
umask 077
write_dev_vars .dev.vars UPSTREAM_URL UPSTREAM_API_KEY UPSTREAM_DIALECT API_KEYS ALLOWED_ORIGINS \
  LIMIT_REFRESH LIMIT_ADD LIMIT_REMOVE LIMIT_CREATE LIMIT_ADD_PER_GROUP LIMIT_REMOVE_PER_GROUP \
  RATE_LIMIT_ON_STORE_ERROR RATE_LIMIT_BACKEND UPSTREAM_TIMEOUT_MS UPSTREAM_ANSWER_CHECK STORE_TIMEOUT_MS \
  SUBJECT_MAX_LENGTH DESCRIPTION_MAX_LENGTH MAX_PARTICIPANTS_PER_REQUEST PICTURE_URL_HOSTS PICTURE_URL_FETCH \
  GROUP_CACHE WEBHOOK_HMAC_KEY WEBHOOK_TOLERANCE_SECS WEBHOOK_FORWARD_URL WEBHOOK_FORWARD_HMAC_KEY

url="http://127.0.0.1:$PORT"
(
  until curl -fsS "$url/healthz" >/dev/null 2>&1; do sleep 1; done
  cat <<BANNER

  groupgate is serving on $url  (upstream: $UPSTREAM_URL)
  API:      $url/api/  (and $url/healthz)
  console:  $url/  (sign in with $sign_in)
  $key_line
  try:  curl -H 'X-Api-Key: $dev_key' $url/api/default/groups

BANNER
) &
pids+=($!)

export WRANGLER_SEND_METRICS=false
wrangler dev --ip 127.0.0.1 --port "$PORT" --local --show-interactive-dev-session=false
