#!/usr/bin/env bash
# Checks a release binary the way the image will use it: it runs, says its version, reads a ConfigMap, and links
# nothing the runtime image (distroless cc: glibc, libgcc, libstdc++; plus the libmnl and zlib the Containerfile
# copies) lacks. A Swift runtime or Foundation library left dynamic would start here and fail in the image.
# Usage: scripts/check-release-binary.sh PATH-TO-kube-vip
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$1

expected=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/KubeVip/Version.swift)
actual=$("$binary" --version)
[ "$actual" = "$expected" ] || { echo "kube-vip --version says '$actual', Version.swift '$expected'" >&2; exit 1; }

"$binary" check manifest/kubevip-configmap.yaml >/dev/null

allowed='^(linux-vdso\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libutil\.so\.1|libgcc_s\.so\.1|libstdc\+\+\.so\.6|libmnl\.so\.0|libz\.so\.1)$'
unexpected=$(ldd "$binary" | awk '{print $1}' | sed 's|.*/||' | grep -Ev "$allowed" || true)
if [ -n "$unexpected" ]; then
    echo "the release binary links libraries the runtime image does not have:" >&2
    echo "$unexpected" >&2
    exit 1
fi
echo "release binary ok: kube-vip $actual, $(du -h "$binary" | cut -f1), links only glibc, libgcc, libstdc++, libmnl and zlib" >&2

# As root, also run it in an empty root holding only those libraries, as the image holds them: a library
# loaded at run time (dlopen) or a data file read from the build machine would fail here, not in a cluster.
# Like a container runtime, give it its own /proc (in a private mount and PID namespace, gone when it exits):
# without one the Swift runtime cannot read its arguments and every command silently becomes the bare help text.
# Each command must print exactly what it printed outside, so an ignored argument fails the check.
if [ "$(id -u)" -eq 0 ] && command -v chroot >/dev/null && command -v unshare >/dev/null; then
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    mkdir -p "$root/tmp" "$root/proc"
    ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | while read -r library; do
        mkdir -p "$root$(dirname "$library")"
        cp -L "$library" "$root$library"
    done
    cp "$binary" "$root/kube-vip"
    cp manifest/kubevip-configmap.yaml "$root/configmap.yaml"
    in_image_root() {
        unshare --mount --pid --fork --mount-proc="$root/proc" chroot "$root" /kube-vip "$@"
    }
    same_output() {
        local name=$1 outside=$2 inside=$3
        if [ "$outside" != "$inside" ]; then
            echo "kube-vip $name printed something else in the empty root:" >&2
            diff <(printf '%s\n' "$outside") <(printf '%s\n' "$inside") | head -20 >&2
            exit 1
        fi
    }
    same_output --version "$expected" "$(in_image_root --version)"
    same_output check "$("$binary" check manifest/kubevip-configmap.yaml | sed 's|manifest/kubevip-configmap.yaml|/configmap.yaml|g')" \
        "$(in_image_root check /configmap.yaml)"
    same_output "manifest cloud-provider" "$("$binary" manifest cloud-provider)" "$(in_image_root manifest cloud-provider)"
    echo "release binary ok in an empty root with only those libraries" >&2
fi
