#!/usr/bin/env bash
# The CI portion of the crash and load proof (docs/reliability.md): 100 SIGKILLs among producer and consumer
# processes, then 1 M messages through 4 producer x 4 consumer processes. Exits non-zero when an invariant breaks.
# The fuzz test runs with `dotnet test`. About 1 minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tools/TypedIpc.Chaos -c Release --nologo -v quiet
dotnet run -c Release --no-build --project tools/TypedIpc.Chaos -- --ci
dotnet run -c Release --no-build --project tools/TypedIpc.Chaos -- --stress --ci
