#!/usr/bin/env bash
# Installs Debian's chromium and chromedriver when /usr/bin/chromium is missing, for the explorer's
# end-to-end tests (tests/e2e). Never downloads a browser from anywhere but the Debian archive.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
"$(dirname "$0")/apt-install.sh" chromium chromium-driver fonts-dejavu-core
/usr/bin/chromium --version
