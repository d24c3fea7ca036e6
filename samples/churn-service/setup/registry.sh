#!/usr/bin/env bash
# Starts Debian's docker-registry for the sample on 127.0.0.1:5000 (or ADDR), without auth, keeping
# its data under the Kiln data directory (KILN_DATA_DIR, default ./kiln-data): images survive a
# restart, and the registry goes with the data directory. Does nothing when a registry already
# answers there; refuses when something else holds the port.
#
#   setup/registry.sh [ADDR]        e.g. 127.0.0.1:5001
#   kill "$(cat kiln-data/registry/registry.pid)"   stops it
#
# A registry on loopback needs no --insecure-registry: the engine allows 127.0.0.0/8 over HTTP.
set -euo pipefail
addr="${1:-127.0.0.1:5000}"
dir="${KILN_DATA_DIR:-$PWD/kiln-data}/registry"
code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://$addr/v2/" || true)"
if [ "$code" = 200 ]; then
  echo "registry: one answers at http://$addr already"
  exit 0
elif [ "$code" != 000 ]; then
  echo "registry: something else answers at $addr (HTTP $code); pass another address, e.g. setup/registry.sh 127.0.0.1:5001" >&2
  exit 1
fi
command -v docker-registry >/dev/null || { echo "registry: needs docker-registry (apt-get install docker-registry)" >&2; exit 1; }
mkdir -p "$dir/data"
chmod 700 "${dir%/registry}"
cat >"$dir/config.yml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $dir/data}
  delete: {enabled: true}
http: {addr: $addr}
YAML
nohup docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
echo $! >"$dir/registry.pid"
for _ in $(seq 1 100); do
  code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://$addr/v2/" || true)"
  [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || { echo "registry: did not start; see $dir/registry.log" >&2; tail -5 "$dir/registry.log" >&2; exit 1; }
echo "registry: http://$addr (data: $dir/data, pid $(cat "$dir/registry.pid"))"
