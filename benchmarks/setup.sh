#!/usr/bin/env bash
# Installs what the native peers need (g++ and the Boost headers) when it is missing. Debian/Ubuntu, as root or via sudo.
set -euo pipefail

if command -v g++ >/dev/null && [ -f /usr/include/boost/interprocess/ipc/message_queue.hpp ]; then
    exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    as_root=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine may be empty or stale: refresh them only when the install fails without.
if ! "${as_root[@]}" apt-get install -y -q libboost-dev g++; then
    "${as_root[@]}" apt-get update -q
    "${as_root[@]}" apt-get install -y -q libboost-dev g++
fi
