#!/usr/bin/env bash
# The project's test command: installs the tests' external tools (tools/setup.sh), then runs every test project.
# Arguments go to `dotnet test`, e.g. `bash tools/test.sh --filter FullyQualifiedName~Nats`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
exec dotnet test TypedIpc.sln "$@"
