#!/usr/bin/env bash
# Runs Kiln's benchmarks (N rounds, default 3) next to their raw baselines; results in /tmp/kiln-bench/results.json.
# Compare with Buildbot on the same machine right after: ../../shared/peers/buildbot/run.sh 3
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
[ -f "$root/server/target/kiln.jar" ] || (cd "$root" && ./mvnw -q -B -DskipTests install)
/usr/bin/python3 "$here/driver.py" "${1:-3}"
