#!/usr/bin/env bash
# GCC's vectorisation report for the network step (models/network/network_step.cpp), compiled as the build
# compiles it (build/compile_commands.json): which loops over the batch's elements (element i of variant v at
# i V + v) the compiler vectorised. Usage: bash scripts/vectorisation_report.sh [BUILD_DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmd=$(/usr/bin/python3 - "$build" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1] + "/compile_commands.json")):
    if c["file"].endswith("models/network/network_step.cpp"):
        print(c["command"])
PY
)
cmd=$(sed 's| -o [^ ]*| -o /dev/null|' <<<"$cmd")
(cd "$build" && eval "$cmd -fopt-info-vec-optimized" 2>&1) | grep -o "models/network/network_step.cpp:[0-9]*:[0-9]*: optimized: .*" |
  sort -t: -k2,2n -u | while IFS=: read -r file line _col rest; do
    printf '%s:%s %s\n      %s\n' "$file" "$line" "$rest" "$(sed -n "${line}p" "$file" | sed 's/^ *//')"
  done
