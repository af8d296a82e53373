#!/usr/bin/env bash
# Installs Debian's chromium when it is missing, so the browser tests (tests/browser/, Playwright driving
# the system browser: the registries serve no browser builds) can run. Idempotent; needs root (as on
# these machines and CI) or passwordless sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
echo "Installing Debian's chromium package (once)..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium > /dev/null
