#!/usr/bin/env bash
# Prepares this machine for the level-2 sample, once (each part is skipped when it is there):
#   - the service's Python base image, kiln-samples/python-ml:bookworm (debootstrap; about 2 min, 0.9 GB)
#   - the Terraform image the terraform steps run in, hashicorp/terraform:kiln-standin (a stand-in;
#     with a terraform binary on PATH, add --real-terraform to package that instead, see README.md)
#   - a registry on 127.0.0.1:5000 without auth, data under ./kiln-data/registry
# Run from the Kiln checkout after .ci/provision (Docker, docker-registry, busybox-static, debootstrap):
#   samples/churn-service/setup.sh && ./kiln submit samples/churn-service
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
docker info >/dev/null 2>&1 || { echo "setup: no Docker engine answers; run .ci/provision first" >&2; exit 1; }
"$here/setup/base-image.sh"
if [ "${1:-}" = --real-terraform ]; then
  terraform="$(command -v terraform)" || { echo "setup: --real-terraform needs terraform on PATH" >&2; exit 1; }
  "$here/setup/terraform-image.sh" --binary "$terraform" kiln-samples/terraform:local
  echo "setup: submit with --substitutions _TERRAFORM_IMAGE=kiln-samples/terraform:local to use it"
else
  "$here/setup/terraform-image.sh"
fi
"$here/setup/registry.sh" "${KILN_SAMPLE_REGISTRY:-127.0.0.1:5000}"
