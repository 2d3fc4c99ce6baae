#!/usr/bin/env bash
# Installs wrk (the HTTP load generator `make bench` measures with) from the Debian archive when it
# is missing, as ensure-chromium.sh does for the explorer's tests. The benchmarks need it: they do
# not fall back to a weaker load generator.
set -euo pipefail

if command -v wrk >/dev/null; then
  exit 0
fi
"$(dirname "$0")/apt-install.sh" wrk
wrk --version 2>&1 | head -1 || true
