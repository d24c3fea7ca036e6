#!/usr/bin/env bash
# What reading a step's ::metric lines from its stored log at the step's end costs, beside a raw
# read of the same file. Usage: bench/log-metrics.sh [MB] [ROUNDS]   (default 200 MB, best of 5)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -o -q -pl spec,agent,webui,server test-compile -Dsurefire.skip=true
cpfile=server/target/bench.classpath
./mvnw -B -ntp -o -q -pl server org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$PWD/$cpfile" -Dmdep.includeScope=test
cp="server/target/test-classes:server/target/classes:webui/target/classes:agent/target/classes:agent/target/test-classes:spec/target/classes:$(cat "$cpfile")"
java -Xmx256m -cp "$cp" dev.kiln.server.results.LogScanBench "${1:-200}" "${2:-5}"
