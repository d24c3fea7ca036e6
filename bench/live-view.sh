#!/usr/bin/env bash
# The browser's live view of a big log: headless Chromium has the build page open while a step
# prints MB megabytes (default 200). Prints time to first lines, the longest main-thread gap, the
# tab's JS heap and DOM size, and lines/s shown beside the step's own lines/s.
# Usage: bench/live-view.sh [MB] [closed]   (closed: the baseline, /agents open instead of the log;
# needs chromium and chromium-driver, as the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_CONFIG_HOME="$PWD/target/xdg"
./mvnw -B -ntp -o -q -pl spec,agent,webui,server test-compile
cpfile=server/target/bench.classpath
./mvnw -B -ntp -o -q -pl server org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$PWD/$cpfile" -Dmdep.includeScope=test
cp="server/target/test-classes:server/target/classes:webui/target/classes:agent/target/classes:agent/target/test-classes:spec/target/classes:$(cat "$cpfile")"
cd server && java -Xmx512m -cp "$(echo "$cp" | sed 's#\(^\|:\)\(server\|webui\|agent\|spec\)/#\1../\2/#g')" dev.kiln.server.web.LiveViewBench "${1:-200}" ${2:-}
