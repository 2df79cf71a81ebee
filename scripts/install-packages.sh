#!/usr/bin/env bash
# Installs the given Debian packages where missing (apt-get; as root, or through sudo). Sourced by the
# scripts that build or test, so a fresh machine needs nothing but Swift.
install_missing_packages() {
    local missing=() package sudo=""
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# What building kube-vip needs beyond Swift: libmnl (the node agent's netlink) and pkg-config to find it.
build_packages=(git ca-certificates pkg-config libmnl-dev)
