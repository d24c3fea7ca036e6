#!/usr/bin/env bash
# What Notifications.publish costs the promotion that calls it (H hooks wanting the event), beside one
# audit-log row in the same database. Usage: bench/notify-publish.sh [HOOKS] [N]   (default 3 hooks, 300 calls)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -o -q -pl spec,agent,webui,server test-compile -Dsurefire.skip=true
cpfile=server/target/bench.classpath
./mvnw -B -ntp -o -q -pl server org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$PWD/$cpfile" -Dmdep.includeScope=test
cp="server/target/test-classes:server/target/classes:webui/target/classes:agent/target/classes:agent/target/test-classes:spec/target/classes:$(cat "$cpfile")"
java -Xmx256m -cp "$cp" dev.kiln.server.notify.PublishBench "${1:-3}" "${2:-300}"
