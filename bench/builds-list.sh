#!/usr/bin/env bash
# The builds list with many builds in the database (default 100,000, seeded through BuildStore),
# page 1 and a filtered page over HTTP beside the same SQL run by itself.
# Usage: bench/builds-list.sh [BUILDS] [ROUNDS]   (default 100000 builds, 50 timed rounds after 50 warm-up)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -o -q -pl spec,agent,webui,server test-compile -Dsurefire.skip=true
cpfile=server/target/bench.classpath
./mvnw -B -ntp -o -q -pl server org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$PWD/$cpfile" -Dmdep.includeScope=test
cp="server/target/test-classes:server/target/classes:webui/target/classes:agent/target/classes:agent/target/test-classes:spec/target/classes:$(cat "$cpfile")"
java -Xmx512m -cp "$cp" dev.kiln.server.web.BuildsListBench "${1:-100000}" "${2:-50}"
