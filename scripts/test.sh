#!/usr/bin/env bash
# Runs the test suite against the release build that scripts/setup.sh made (building what is missing).
# The tests use only public APIs, so testable imports stay off and the release build is reused as is.
# The distribution tests (a Docker engine's containers and a booted systemd), then the fault runs (clusters
# in network namespaces under load, whose outages are measured), run after the rest, so that their load
# does not meet the member tests' timeouts nor theirs each other's. Arguments run `swift test` once with them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -gt 0 ]; then
    exec swift test -c release --disable-testable-imports "$@"
fi
distribution='ComposeClusterTests|ComposeTLSTests|SystemdUnitTests'
faults='NamespaceNetworkTests|FaultRunTests'
swift test -c release --disable-testable-imports --skip "$distribution|$faults"
swift test -c release --disable-testable-imports --skip-build --filter "$distribution"
swift test -c release --disable-testable-imports --skip-build --filter "$faults"
