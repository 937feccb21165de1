#!/usr/bin/env bash
# The one command: installs and builds the peers and the .NET runner, runs every scenario for TypedIpc and every
# peer over several interleaved rounds, and writes docs/benchmarks.md and docs/benchmarks.svg.
#   bash benchmarks/run.sh [--rounds N] [--note TEXT]      the full run (about 8 minutes on 2 cores)
#   bash benchmarks/run.sh --smoke                         one short round; fails unless every peer produced numbers,
#                                                          Put+Get allocates 0 B (unmanaged struct) / only the message
#                                                          (class), and TypedIpc is >= 5x Python mp.Queue and the Unix socket
set -euo pipefail

benchmarks="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bash "$benchmarks/setup.sh"

mkdir -p "$benchmarks/bin"
gcc -O2 -std=c11 -Wall -Wextra -Werror -o "$benchmarks/bin/spsc_ring" "$benchmarks/peers/ring/spsc_ring.c"
g++ -O2 -std=c++17 -Wall -Wextra -Werror -o "$benchmarks/bin/message_queue" "$benchmarks/peers/boost/message_queue.cpp" -lpthread -lrt
dotnet build "$benchmarks/TypedIpc.Benchmarks/TypedIpc.Benchmarks.csproj" -c Release -nologo -v quiet

python3 "$benchmarks/bench.py" "$@"
