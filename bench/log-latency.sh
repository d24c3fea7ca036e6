#!/usr/bin/env bash
# A step's 200 MB log through the agent's log pump to a server whose every append takes a round trip
# of R µs, beside the same output read and dropped. Usage: bench/log-latency.sh [R ...]  (default 0 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -o -q -pl spec,agent test-compile -Dsurefire.skip=true
cp="agent/target/test-classes:agent/target/classes:spec/target/classes"
java -Xmx256m -cp "$cp" dev.kiln.agent.run.LogPumpLatencyBench "$@"
