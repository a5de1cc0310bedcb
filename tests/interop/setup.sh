#!/usr/bin/env bash
# Installs the two real gateways the interop tests run against, pinned:
#   - LiteLLM 1.106.2 (with its `proxy` extra) in a venv at target/interop/venv,
#     every package pinned with hashes (tests/interop/requirements.txt);
#   - the Portkey gateway 1.15.2 from npm in tests/interop/portkey/node_modules,
#     from the committed package-lock.json.
# Idempotent: each install is skipped when the pinned version is already there.
# Needs python3 (with venv) and npm; .ci/run installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

LITELLM_VERSION=1.106.2
PORTKEY_VERSION=1.15.2
VENV=target/interop/venv
PORTKEY_DIR=tests/interop/portkey

# Importing litellm fetches a price map from the internet unless told not to.
export LITELLM_LOCAL_MODEL_COST_MAP=True

installed_litellm() {
  "$VENV/bin/python" - <<'EOF' 2>/dev/null
from importlib.metadata import version
print(version("litellm"))
EOF
}

if [ -x "$VENV/bin/litellm" ] && [ "$(installed_litellm)" = "$LITELLM_VERSION" ]; then
  echo "== LiteLLM $LITELLM_VERSION already in $VENV"
else
  echo "== LiteLLM $LITELLM_VERSION into $VENV"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  # --require-hashes: every package, dependencies included, must match a hash
  # in the file, so a republished or compromised release cannot slip in.
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input \
    --require-hashes --only-binary=:all: -r tests/interop/requirements.txt
  got="$(installed_litellm)"
  if [ "$got" != "$LITELLM_VERSION" ]; then
    echo "setup.sh: expected litellm $LITELLM_VERSION in $VENV, found '$got'" >&2
    exit 1
  fi
fi

installed_portkey() {
  node -p "require('./$PORTKEY_DIR/node_modules/@portkey-ai/gateway/package.json').version" 2>/dev/null
}

if [ "$(installed_portkey)" = "$PORTKEY_VERSION" ]; then
  echo "== Portkey gateway $PORTKEY_VERSION already in $PORTKEY_DIR"
else
  echo "== Portkey gateway $PORTKEY_VERSION into $PORTKEY_DIR"
  # `npm install` with a committed lockfile installs exactly what it lists
  # (integrity hashes included) and leaves it unchanged. Its postinstall
  # (patch-package) has no patches to apply in the published package.
  (cd "$PORTKEY_DIR" && npm install --no-audit --no-fund --loglevel=error)
  got="$(installed_portkey)"
  if [ "$got" != "$PORTKEY_VERSION" ]; then
    echo "setup.sh: expected @portkey-ai/gateway $PORTKEY_VERSION, found '$got'" >&2
    exit 1
  fi
fi
