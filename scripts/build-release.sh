#!/usr/bin/env bash
# The release build every image is made of: optimised, the Swift runtime and Foundation linked statically
# (--static-swift-stdlib), so the binary needs only glibc, libstdc++/libgcc and libmnl at run time. The
# Containerfile runs this; CI runs it too and checks the binary (`scripts/check-release-binary.sh`).
# Usage: scripts/build-release.sh [--scratch-path DIR]; prints the binary's path on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-packages.sh
install_missing_packages "${build_packages[@]}"

scratch=.build
if [ "${1:-}" = "--scratch-path" ] && [ -n "${2:-}" ]; then scratch=$2; fi
swift build -c release --static-swift-stdlib --product kube-vip --scratch-path "$scratch" >&2
echo "$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/kube-vip"
