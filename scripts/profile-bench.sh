#!/usr/bin/env bash
# Profiles one benchmark workload with V8's sampling profiler and prints the hottest functions.
# Usage: scripts/profile-bench.sh WORKLOAD [bench options...]   e.g. scripts/profile-bench.sh W1 --captures
# The .cpuprofile is kept in ${PROFILE_DIR:-/tmp/cnmlab-profiles} (open it in Chrome DevTools).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${PROFILE_DIR:-/tmp/cnmlab-profiles}
mkdir -p "$dir"
node scripts/build.mjs
name="$1-$(date +%H%M%S)"
node --cpu-prof --cpu-prof-dir="$dir" --cpu-prof-name="$name.cpuprofile" scripts/bench.mjs "$@"
node scripts/cpu-profile-top.mjs "$dir/$name.cpuprofile" "${TOP:-35}"
