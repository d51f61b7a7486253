#!/usr/bin/env bash
# Install what is missing, build, run every test (GoogleTest and pytest, through ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure --parallel "$(nproc)"
