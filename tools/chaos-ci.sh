#!/usr/bin/env bash
# The CI portion of the crash and load proof (docs/reliability.md), once for each message kind (packed = ChaosMessage
# through MemoryPack, raw = the unmanaged ChaosTick through the queue's raw path): 100 SIGKILLs among producer and
# consumer processes, then 1 M messages through 4 producer x 4 consumer processes. Exits non-zero when an invariant
# breaks. The fuzz test runs with `dotnet test`. About a minute on 2 cores, plus the build.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tools/TypedIpc.Chaos -c Release --nologo -v quiet
for kind in packed raw; do
    dotnet run -c Release --no-build --project tools/TypedIpc.Chaos -- --ci --message "$kind"
    dotnet run -c Release --no-build --project tools/TypedIpc.Chaos -- --stress --ci --message "$kind"
done
