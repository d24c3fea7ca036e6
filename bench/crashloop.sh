#!/usr/bin/env bash
# The crash loop: a kiln server under load is killed with SIGKILL at random moments, N times
# (default 300) on one data directory; after each restart every build a client saw created must
# exist and every build it saw ended must have the same status and log. Prints the counts and time.
# CI runs the same test with 12 kills (server/src/test/java/dev/kiln/server/CrashLoopTest.java).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q -pl spec,agent,server -am test -Dtest=CrashLoopTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dkiln.crashloop.kills="${1:-300}" 2>&1 | grep -E "crash loop:|FAIL|was seen|acknowledged|Tests run" || true
