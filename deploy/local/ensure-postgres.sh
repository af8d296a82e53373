#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when its binaries are missing, so the test command can start a
# throwaway cluster. Idempotent; needs root (as on these machines and CI) or passwordless sudo.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
echo "Installing Debian's postgresql server package (once)..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql > /dev/null
