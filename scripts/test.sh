#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs the system packages the tests need when they are
# missing (apt-get; as root, or through sudo), builds, and runs every test. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the build and the tests need: libmnl for the node agent's netlink, iproute2, tcpdump, ping and
# arping for the tests in network namespaces.
packages=(git ca-certificates pkg-config libmnl-dev iproute2 tcpdump iputils-ping iputils-arping)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

swift build --build-tests
swift test --skip-build
