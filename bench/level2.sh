#!/usr/bin/env bash
# The level-2 sample (samples/churn-service) end to end, timed: its set-up (the base image cold or
# warm), then its pipeline twice, by hand with the docker CLI and Python (the raw baseline: the
# same commands, in the same order, no Kiln), and through `kiln submit` on a fresh server.
#
#   bench/level2.sh [--cold]     --cold removes kiln-samples/python-ml:bookworm first
#
# Each pipeline pushes to a fresh registry on a free loopback port, so both pay for the first push
# of the base image's layer. Needs what samples/churn-service/setup.sh needs, and root or sudo for
# a cold base image. Prints one line per figure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
sample="$root/samples/churn-service"
work="$(mktemp -d /tmp/kiln-bench-level2.XXXXXX)"
chmod 711 "$work"  # the build user (a server run as root) must reach the work directory inside
pids=()
cleanup() {
  for p in "${pids[@]}" $(cat "$work"/registry-*/pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
registry() {  # starts a fresh registry, prints host:port (runs in $(...): its pid goes to a file)
  local dir="$work/registry-$1" port; port="$(free_port)"; mkdir -p "$dir"
  printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' "$dir" "$port" >"$dir/config.yml"
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 </dev/null & echo $! >"$dir/pid"
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
  echo "127.0.0.1:$port"
}

echo "level2: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
if [ "${1:-}" = --cold ]; then docker rmi -f kiln-samples/python-ml:bookworm >/dev/null 2>&1 || true; fi
t="$(now)"; "$sample/setup/base-image.sh" >"$work/base.log" 2>&1 || { cat "$work/base.log"; exit 1; }
echo "base image ($(grep -q 'there already' "$work/base.log" && echo warm || echo cold)): $(since "$t") s"
"$sample/setup/terraform-image.sh" >/dev/null

# --- by hand ---------------------------------------------------------------------------------
reg="$(registry hand)"; id="hand-$$"; img="$reg/churn-service:$id"; ws="$work/ws"
cp -r "$sample" "$ws"; cd "$ws"; export PYTHONDONTWRITEBYTECODE=1
t="$(now)"
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests >/dev/null
/usr/bin/python3 -m churn.validate --data data/churn.csv >/dev/null
/usr/bin/python3 -m churn.train --data data/churn.csv --seed 42 --model model.pkl --metrics metrics.json >/dev/null
/usr/bin/python3 -m churn.evaluate --data data/churn.csv --seed 42 --model model.pkl --metrics metrics.json --min-accuracy 0.75 >/dev/null
py="$(since "$t")"; t2="$(now)"
docker build -q --build-arg BASE_IMAGE=kiln-samples/python-ml:bookworm -t "$img" -t "$reg/churn-service:latest" . >/dev/null 2>&1
build="$(since "$t2")"; t2="$(now)"
docker network create "bench-$id" >/dev/null
docker run -d --rm --network "bench-$id" --name "churn-svc-$id" "$img" >/dev/null
docker run --rm --init --network "bench-$id" -v "$ws:/workspace" -w /workspace -e PYTHONDONTWRITEBYTECODE=1 "$img" \
  python3 -m functional.check_service --url "http://churn-svc-$id:8080" >/dev/null
docker stop "churn-svc-$id" >/dev/null; docker network rm "bench-$id" >/dev/null
functional="$(since "$t2")"; t2="$(now)"
docker push -q "$img" >/dev/null
push="$(since "$t2")"; t2="$(now)"
for args in "init -input=false" "plan -input=false -out=tfplan" "apply -input=false tfplan"; do
  # shellcheck disable=SC2086
  docker run --rm --init -v "$ws:/workspace" -w /workspace/infra -e TF_IN_AUTOMATION=1 -e TF_VAR_environment=dev \
    -e "TF_VAR_image=$img" hashicorp/terraform:kiln-standin $args >/dev/null
done
tf="$(since "$t2")"; t2="$(now)"
docker push -q "$img" >/dev/null; docker push -q "$reg/churn-service:latest" >/dev/null
echo "by hand: $(since "$t") s (python steps $py, docker build $build, functional test $functional, first push $push, terraform $tf, images: $(since "$t2"))"
docker rmi "$img" "$reg/churn-service:latest" >/dev/null
cd "$root"

# --- through Kiln ----------------------------------------------------------------------------
jar="$root/server/target/kiln.jar"
[ -f "$jar" ] || { echo "through kiln: skipped, no $jar (./mvnw -q -B -DskipTests package)"; exit 0; }
reg="$(registry kiln)"; port="$(free_port)"
java -jar "$jar" server --port "$port" --data-dir "$work/data" --work-dir "$work/kiln-work" >"$work/server.log" 2>&1 & pids+=($!)
for _ in $(seq 1200); do
  curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break
  kill -0 "${pids[-1]}" 2>/dev/null || break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/api/health" >/dev/null || { echo "through kiln: the server did not start:"; tail "$work/server.log"; exit 1; }
t="$(now)"
if KILN_TOKEN="$(cat "$work/data/admin.token")" java -jar "$jar" submit "$sample" --server "http://127.0.0.1:$port" --substitutions "_REGISTRY=$reg" >"$work/submit.log" 2>&1; then
  echo "through kiln: $(since "$t") s ($(grep -o '"tags":\[[^]]*\]' <(curl -s "http://$reg/v2/churn-service/tags/list")))"
else
  echo "through kiln: FAILED after $(since "$t") s; the end of the log:"; tail -15 "$work/submit.log"
fi
for tag in $(curl -s "http://$reg/v2/churn-service/tags/list" | grep -o '"[0-9a-f-]\{36\}"\|"latest"' | tr -d '"'); do
  docker rmi "$reg/churn-service:$tag" >/dev/null 2>&1 || true
done
