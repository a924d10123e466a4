#!/usr/bin/env bash
# Fail when generated/ differs from what the spec and the pinned generator produce.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
committed=${1:-$root/generated/datlake_api}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/generate.sh" "$tmp/datlake_api"
if ! diff -r -u --exclude=__pycache__ "$tmp/datlake_api" "$committed"; then
  echo "generated/ is out of date or was edited by hand: run 'make generate'" >&2
  exit 1
fi
echo "generated/ matches openapi/datlake.yaml"
