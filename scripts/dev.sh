#!/usr/bin/env bash
# The main job on a fresh machine: installs what the build needs when missing, then builds and starts
# `kube-vip dev` (arguments are passed on, e.g. `scripts/dev.sh --port 0`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-packages.sh
install_missing_packages "${build_packages[@]}"
exec swift run kube-vip dev "$@"
