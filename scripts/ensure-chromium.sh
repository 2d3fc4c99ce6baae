#!/usr/bin/env bash
# Installs Debian's chromium and chromedriver when /usr/bin/chromium is missing, for the explorer's
# end-to-end tests (tests/e2e). Never downloads a browser from anywhere but the Debian archive.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null

/usr/bin/chromium --version
