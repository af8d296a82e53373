#!/usr/bin/env bash
# Installs Debian's Prometheus package (the server and promtool) when either is missing, so the test
# command can unit-test the alert rules and scrape the services with a real Prometheus. Idempotent; needs
# root (as on these machines and CI) or passwordless sudo. The package's own service is left stopped: the
# tests start their own Prometheus on a free port.
set -euo pipefail
if command -v promtool > /dev/null && command -v prometheus > /dev/null; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
echo "Installing Debian's prometheus package (once)..."
$SUDO apt-get update -qq

DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends prometheus > /dev/null
