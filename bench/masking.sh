#!/usr/bin/env bash
# The cost of masking secrets in a step's log (agent and server run the same SecretMasker), beside
# a plain copy of the same 1 MiB chunks.
# Usage: bench/masking.sh [MB] [ROUNDS]   (default 200 MB, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -o -q -pl spec,agent test-compile -Dsurefire.skip=true
java -Xmx256m -cp agent/target/test-classes:agent/target/classes:spec/target/classes \
  dev.kiln.agent.run.MaskingBench "${1:-200}" "${2:-3}"
