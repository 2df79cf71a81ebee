#!/usr/bin/env bash
# Installs kubernetes-validate (PyPI), which the manifest tests run over every manifest, into a virtual
# environment under .build/tools/ (gitignored) unless it is there already, and exports its path as
# KUBERNETES_VALIDATE. Source it (`source scripts/install-validator.sh`) to keep the variable, or run it to
# install and print the path. Without it the manifest validation tests skip, saying so.
_kv_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_kv_venv="$_kv_root/.build/tools/venv"
_kv_binary="$_kv_venv/bin/kubernetes-validate"
if [ ! -x "$_kv_binary" ]; then
    echo "installing kubernetes-validate into $_kv_venv" >&2
    if ! { python3 -m venv "$_kv_venv" && "$_kv_venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==1.37.0"; } >&2; then
        echo "could not install kubernetes-validate (python3-venv and network access to PyPI are needed)" >&2
        if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 1; else exit 1; fi
    fi
fi
export KUBERNETES_VALIDATE="$_kv_binary"
echo "KUBERNETES_VALIDATE=$KUBERNETES_VALIDATE"
unset _kv_root _kv_venv _kv_binary
