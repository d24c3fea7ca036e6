#!/usr/bin/env bash
# Builds the local image the sample's terraform steps run in, once: busybox plus, as
# /bin/terraform, either the stand-in script beside this file (default) or a real terraform
# binary you have (Terraform's release binaries are static, so they run in this image as is).
#
#   setup/terraform-image.sh                                   hashicorp/terraform:kiln-standin, the stand-in
#   setup/terraform-image.sh --binary "$(command -v terraform)" kiln-samples/terraform:local
#
# Does nothing when the engine already has the tag. Needs Debian's busybox-static (/bin/busybox).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
binary="$here/terraform-standin/terraform"
if [ "${1:-}" = --binary ]; then
  binary="${2:?--binary needs the path of a terraform executable}"
  shift 2
fi
tag="${1:-hashicorp/terraform:kiln-standin}"
# The image is rebuilt when what goes into it changes (a new stand-in, another binary).
digest="$(cat "$binary" "$here/terraform-standin/Dockerfile" | sha256sum | cut -c1-16)"
if [ "$(docker image inspect -f '{{index .Config.Labels "dev.kiln.sample.digest"}}' "$tag" 2>/dev/null)" = "$digest" ]; then
  echo "terraform-image: $tag is there already"
  exit 0
fi
[ -x /bin/busybox ] || { echo "terraform-image: needs /bin/busybox (apt-get install busybox-static)" >&2; exit 1; }
context="$(mktemp -d "${TMPDIR:-/tmp}/kiln-terraform-image.XXXXXX")"
trap 'rm -rf "$context"' EXIT
cp /bin/busybox "$context/busybox"
cp "$binary" "$context/terraform"
chmod 755 "$context/terraform"
cp "$here/terraform-standin/Dockerfile" "$context/Dockerfile"
docker build --label "dev.kiln.sample.digest=$digest" -t "$tag" "$context" >"$context/build.log" 2>&1 || { cat "$context/build.log" >&2; exit 1; }
echo "terraform-image: $tag built: $(docker run --rm "$tag" version | grep -m1 '^Terraform v')"
