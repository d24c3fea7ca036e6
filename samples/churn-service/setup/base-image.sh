#!/usr/bin/env bash
# Builds the sample's Python base image locally, once: Debian bookworm (debootstrap minbase) with
# Debian's python3, python3-sklearn and python3-pandas, imported with `docker import`. It exists
# because no image can be pulled where Kiln is tested; with a registry you can reach, point the
# Dockerfile at python:3.11-slim instead (see the sample's README).
#
#   setup/base-image.sh [TAG]      default kiln-samples/python-ml:bookworm
#
# Does nothing when the engine has TAG from this same script (a label holds the script's digest).
# About 2 minutes (apt downloads ~120 MB) and 0.36 GB; needs root (or sudo) for debootstrap and
# a Debian mirror (MIRROR, default http://deb.debian.org/debian).
set -euo pipefail
tag="${1:-${KILN_SAMPLES_PYTHON_IMAGE:-kiln-samples/python-ml:bookworm}}"
mirror="${MIRROR:-http://deb.debian.org/debian}"
packages="python3 python3-sklearn python3-pandas"

# Rebuilt only when this script changes (its packages, its clean-up): a tag alone could be stale.
digest="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
built() { [ "$(docker image inspect -f '{{index .Config.Labels "dev.kiln.sample.digest"}}' "$tag" 2>/dev/null)" = "$digest" ]; }
if built; then
  echo "base-image: $tag is there already"
  exit 0
fi
# One build at a time per machine (CI starts one in the background while tests may ask for it too):
# a second caller waits for the first, then finds the image there.
exec 9>"${TMPDIR:-/tmp}/kiln-base-image.lock"
flock 9
if built; then
  echo "base-image: $tag is there already (built meanwhile)"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
root="$(mktemp -d "${TMPDIR:-/tmp}/kiln-python-ml.XXXXXX")"
trap '$sudo rm -rf "$root"' EXIT
started=$(date +%s)
echo "base-image: debootstrap --variant=minbase bookworm from $mirror (about a minute)"
$sudo debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
  tail -20 "$root.debootstrap.log" >&2; echo "base-image: debootstrap failed (log: $root.debootstrap.log)" >&2; exit 1; }
rm -f "$root.debootstrap.log"
echo "base-image: apt-get install --no-install-recommends $packages"
# Debian's scipy depends on pythran, which brings gcc, g++, boost and Python's headers (half a
# gigabyte) that only building scipy needs. An empty package of that name, installed first, keeps
# them out; dpkg's records stay consistent.
$sudo mkdir -p "$root/tmp/pythran/DEBIAN"
$sudo tee "$root/tmp/pythran/DEBIAN/control" >/dev/null <<'CONTROL'
Package: python3-pythran
Version: 99:0-kiln
Architecture: all
Maintainer: Kiln samples <nobody@localhost>
Description: empty: scipy needs pythran to build, not to run
CONTROL
$sudo chroot "$root" sh -c 'dpkg-deb -b /tmp/pythran /tmp/pythran.deb >/dev/null && dpkg -i /tmp/pythran.deb >/dev/null && rm -rf /tmp/pythran /tmp/pythran.deb'
# As root in the chroot, apt has no _apt user to drop to: say so, rather than warn per download.
$sudo chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  sh -c "apt-get -o APT::Sandbox::User=root update -q && apt-get -o APT::Sandbox::User=root install -y -q --no-install-recommends $packages && apt-get clean" \
  >"$root.apt.log" 2>&1 || { tail -20 "$root.apt.log" >&2; echo "base-image: apt-get failed (log: $root.apt.log)" >&2; exit 1; }
rm -f "$root.apt.log"
# What a run never needs: package lists, docs, man pages, locales other than C.
$sudo rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
  "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/var/cache/debconf/*-old
echo "base-image: docker import as $tag"
$sudo tar -C "$root" -c . | docker import \
  -c 'CMD ["python3"]' -c "LABEL dev.kiln.sample.digest=$digest" -c 'ENV LANG=C.UTF-8' -c 'ENV PYTHONDONTWRITEBYTECODE=1' -c 'ENV PYTHONUNBUFFERED=1' \
  -m "debootstrap minbase bookworm + $packages (Kiln's churn-service sample)" - "$tag" >/dev/null
docker run --rm "$tag" python3 -c 'import sklearn, pandas; print("base-image: sklearn", sklearn.__version__, "pandas", pandas.__version__)'
echo "base-image: $tag built in $(( $(date +%s) - started )) s, $(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.2f GB", $1/1e9}')"
