#!/usr/bin/env bash
# Throughput of the dashboard's terminal renderer (webui, dev.kiln.webui.term) on a realistic
# 200 MB log held in memory, and of each hostile pattern of its fuzz test.
# Usage: bench/render.sh [MEGABYTES] [ROUNDS]   (default 200 MB, 5 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -o -q -pl webui test-compile
cp="webui/target/classes:webui/target/test-classes"
java -Xmx512m -cp "$cp" dev.kiln.webui.term.RenderBench "${1:-200}" "${2:-5}"
java -Xmx512m -cp "$cp" dev.kiln.webui.term.AdversaryTiming 8000000
