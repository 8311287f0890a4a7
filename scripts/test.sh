#!/usr/bin/env bash
# Runs the test suite against the release build that scripts/setup.sh made (building what is missing).
# The tests use only public APIs, so testable imports stay off and the release build is reused as is.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test -c release --disable-testable-imports "$@"
