#!/usr/bin/env bash
# Installs the two real gateways the interop tests run against, pinned:
#   - LiteLLM 1.106.2 (with its `proxy` extra) in a venv at target/interop/venv,
#     every package pinned with hashes (tests/interop/requirements.txt);
#   - the Portkey gateway 1.15.2 from npm in tests/interop/portkey/node_modules,
#     from the committed package-lock.json.
# Idempotent: each install is skipped when the pinned version is already there,
# installed from the same requirements.txt / package-lock.json (a hash of the
# file is kept next to the install). Needs Python 3.11 with venv, and npm;
# .ci/run installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

LITELLM_VERSION=1.106.2
PORTKEY_VERSION=1.15.2
VENV=target/interop/venv
PORTKEY_DIR=tests/interop/portkey

# Importing litellm fetches a price map from the internet unless told not to.
export LITELLM_LOCAL_MODEL_COST_MAP=True

# Python 3.11: the version requirements.txt was compiled for (Debian 12's).
PYTHON="$(command -v python3.11 || command -v python3 || true)"
if [ -z "$PYTHON" ] || ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "setup.sh: needs Python 3.11 (python3.11 or python3), found '${PYTHON:-none}'" >&2
  exit 1
fi

# What is installed is recorded next to it: the hash of the file it came from.
stamp_of() { sha256sum "$1" | cut -d' ' -f1; }
REQUIREMENTS=tests/interop/requirements.txt
VENV_STAMP="$VENV/.switchyard-requirements.sha256"
PORTKEY_STAMP="$PORTKEY_DIR/node_modules/.switchyard-lock.sha256"

installed_litellm() {
  "$VENV/bin/python" - <<'EOF' 2>/dev/null
from importlib.metadata import version
print(version("litellm"))
EOF
}

if [ -x "$VENV/bin/litellm" ] && [ "$(installed_litellm)" = "$LITELLM_VERSION" ] &&
  [ "$(cat "$VENV_STAMP" 2>/dev/null)" = "$(stamp_of "$REQUIREMENTS")" ]; then
  echo "== LiteLLM $LITELLM_VERSION already in $VENV"
else
  echo "== LiteLLM $LITELLM_VERSION into $VENV"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input \
    --require-hashes --only-binary=:all: -r tests/interop/pip.txt
  # --require-hashes: every package, dependencies included, must match a hash
  # in the file, so a republished or compromised release cannot slip in.
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input \
    --require-hashes --only-binary=:all: -r "$REQUIREMENTS"
  got="$(installed_litellm)"
  if [ "$got" != "$LITELLM_VERSION" ]; then
    echo "setup.sh: expected litellm $LITELLM_VERSION in $VENV, found '$got'" >&2
    exit 1
  fi
  stamp_of "$REQUIREMENTS" > "$VENV_STAMP"
fi

installed_portkey() {
  node -p "require('./$PORTKEY_DIR/node_modules/@portkey-ai/gateway/package.json').version" 2>/dev/null
}

if [ "$(installed_portkey)" = "$PORTKEY_VERSION" ] &&
  [ "$(cat "$PORTKEY_STAMP" 2>/dev/null)" = "$(stamp_of "$PORTKEY_DIR/package-lock.json")" ]; then
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
  if ! git diff --quiet -- "$PORTKEY_DIR/package-lock.json" 2>/dev/null; then
    echo "setup.sh: npm changed $PORTKEY_DIR/package-lock.json; the pins must not move" >&2
    exit 1
  fi
  stamp_of "$PORTKEY_DIR/package-lock.json" > "$PORTKEY_STAMP"
fi
