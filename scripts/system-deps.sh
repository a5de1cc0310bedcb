#!/usr/bin/env bash
# Installs the Debian packages the desktop app needs to build, run and be
# tested, if any is missing. Uses sudo only when not root.
set -euo pipefail

packages=(
  build-essential pkg-config curl wget file libssl-dev libxdo-dev
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev
  libayatana-appindicator3-dev librsvg2-dev
)
if [ "${1:-}" = "--test" ]; then
  # GUI tests: a virtual display, the WebKit WebDriver, Chromium for the
  # browser test, a font, ImageMagick for screenshots of the window, and
  # libfaketime to run the tests a year ahead (scripts/test-year-ahead.sh),
  # and GNU time, whose wait4 gives the usage import's memory test
  # (tests/tests/usage_cli.rs) the child's peak RSS, and PostgreSQL, whose
  # server (initdb, postgres, pg_ctl under /usr/lib/postgresql/*/bin) the
  # --from-postgres import's tests start (tests/tests/usage_postgres.rs).
  packages+=(xvfb xauth webkit2gtk-driver chromium fonts-dejavu-core imagemagick faketime time postgresql)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "== installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
