#!/usr/bin/env bash
# Builds the kube-vip image from the Containerfile with docker or podman, tagged kube-vip:<version> (the tag the
# generated manifests use by default). Extra arguments go to the build, e.g. `--build-arg SWIFT_IMAGE=...`.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/KubeVip/Version.swift)
engine=$(command -v podman || command -v docker || true)
[ -n "$engine" ] || { echo "neither podman nor docker is installed" >&2; exit 1; }
exec "$engine" build -f Containerfile -t "kube-vip:$version" "$@" .
