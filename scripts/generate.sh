#!/usr/bin/env bash
# Regenerate generated/datlake_api from openapi/datlake.yaml with the pinned generator.
#   scripts/generate.sh [OUT_DIR]   (default: generated/datlake_api)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/generated/datlake_api}
venv_bin=${VENV_BIN:-$root/.venv/bin}
# the generator's post hooks call `ruff`: make sure they find the pinned one
export PATH="$venv_bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$venv_bin/openapi-python-client" generate \
  --path "$root/openapi/datlake.yaml" \
  --config "$root/openapi/generator-config.yaml" \
  --meta none --fail-on-warning \
  --output-path "$tmp/datlake_api" >/dev/null
find "$tmp" -name __pycache__ -prune -exec rm -rf {} +
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$tmp/datlake_api" "$out"
