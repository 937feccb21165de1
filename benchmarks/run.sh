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

# NATS JetStream rows (TypedIpc.Nats): NatsQueue<T> against NATS.Net's own JetStream calls on the same bytes, through
# a nats-server of their own on a free loopback port (tools/setup.sh installs it), stopped afterwards. A full run
# writes docs/benchmarks-nats.md; --smoke only checks that both sides produced numbers.
nats_arguments=()
nats_smoke=false
while [ "$#" -gt 0 ]; do
    case "$1" in
        --smoke) nats_smoke=true; nats_arguments+=(--smoke) ;;
        --rounds) nats_arguments+=(--rounds "$2"); shift ;;
    esac
    shift
done
bash "$benchmarks/../tools/setup.sh"
dotnet build "$benchmarks/TypedIpc.Nats.Benchmarks/TypedIpc.Nats.Benchmarks.csproj" -c Release -nologo -v quiet
nats_store="$(mktemp -d)"
nats_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$nats_store" >"$nats_store.log" 2>&1 &
nats_pid=$!
trap 'kill "$nats_pid" 2>/dev/null || true; wait "$nats_pid" 2>/dev/null || true; rm -rf "$nats_store" "$nats_store.log"' EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$nats_port") 2>/dev/null && break
    sleep 0.1
done
nats_rows="$(dotnet "$benchmarks/TypedIpc.Nats.Benchmarks/bin/Release/net10.0/TypedIpc.Nats.Benchmarks.dll" "nats://127.0.0.1:$nats_port" "${nats_arguments[@]}")"
echo "$nats_rows"
if [ "$nats_smoke" = false ]; then
    {
        echo "# NATS JetStream benchmarks"
        echo
        echo "Measured $(date -u +%Y-%m-%d) with \`bash benchmarks/run.sh\` on this project's 2-core VM: \`NatsQueue<T>\` (TypedIpc.Nats) against"
        echo "NATS.Net's own JetStream calls on the same MemoryPack bytes (publish and await the acknowledgement;"
        echo "\`consumer.FetchAsync\` of one message, deserialize, ack), rounds interleaved, producer and consumer on connections"
        echo "of their own. NatsQueue pulls on one inbox subscription per queue handle where a fetch subscribes and"
        echo "unsubscribes an inbox of its own each time, which is why it can be faster than the raw calls. Beside the"
        echo "shared-memory figures of [benchmarks.md](benchmarks.md), this is what a broker costs: every put is a round trip"
        echo "to the server, which stores the message before it answers."
        echo
        echo "$nats_rows"
    } >"$benchmarks/../docs/benchmarks-nats.md"
fi
