#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK: nats-server (the NATS backend's tests start their own) and
# util-linux's unshare. Idempotent: installs only what is missing; exits non-zero, saying what is missing, on failure.
set -euo pipefail

missing=()
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

echo "tools/setup.sh: installing ${missing[*]}"
sudo_prefix=()
[ "$(id -u)" -eq 0 ] || sudo_prefix=(sudo)
if ! { "${sudo_prefix[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_prefix[@]}" apt-get install -y -qq "${missing[@]}"; }; then
    echo "tools/setup.sh: FAILED to install ${missing[*]} with apt-get; install them by hand (the NATS tests need nats-server on PATH)." >&2
    exit 1
fi

for tool in nats-server unshare; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "tools/setup.sh: FAILED: $tool is still not on PATH after apt-get install." >&2
        exit 1
    fi
done
