#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs the system packages the build and the tests need when
# they are missing (apt-get; as root, or through sudo), builds, and runs every test. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-packages.sh

# Beyond the build: iproute2, tcpdump, ping, arping and curl for the tests in network namespaces, and
# dnsmasq-base (dnsmasq alone, no service) as the DHCP server of the DHCP mode tests, miniupnpd (its nftables
# build; its service is never started) with nftables as the UPnP gateway of the UPnP mode tests, miniupnpc's
# upnpc to list its mappings, and socat for the TCP servers and clients on both sides of it.
install_missing_packages "${build_packages[@]}" iproute2 tcpdump iputils-ping iputils-arping curl dnsmasq-base \
    miniupnpd miniupnpc nftables socat

source scripts/install-validator.sh  # kubernetes-validate, for the manifest tests
swift build --build-tests
swift test --skip-build

# The release build the image is made of (static Swift runtime), checked the way the image runs it.
release_binary=$(scripts/build-release.sh --scratch-path .build-release)
scripts/check-release-binary.sh "$release_binary"
