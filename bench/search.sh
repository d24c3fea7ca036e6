#!/usr/bin/env bash
# Search and windows of rows on a big log (default 200 MB) beside grep and wc on the same file.
# Usage: bench/search.sh [MB] [ROUNDS]   (default 200 MB, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -o -q -pl spec,agent,webui,server test-compile -Dsurefire.skip=true
cpfile=server/target/bench.classpath
./mvnw -B -ntp -o -q -pl server org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$PWD/$cpfile" -Dmdep.includeScope=test
cp="server/target/test-classes:server/target/classes:webui/target/classes:agent/target/classes:agent/target/test-classes:spec/target/classes:$(cat "$cpfile")"
java -Xmx512m -cp "$cp" dev.kiln.server.web.SearchBench "${1:-200}" "${2:-3}"
