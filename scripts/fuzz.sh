#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded time each
# (FUZZTIME, 15s by default): four targets take about a minute and a half.
# A failure leaves its input in the package's testdata/fuzz/FuzzX/: commit
# it with the fix, and plain `go test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-15s}
status=0
# "./pkg FuzzName" for each target, found in the test files.
targets=$(grep -rE --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]+' . |
	sed -E 's|^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)$|\1 \2|' | sort)
while read -r pkg name; do
	[ -n "$pkg" ] || continue
	echo "fuzz $name in $pkg for $FUZZTIME"
	if ! "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"; then
		echo "fuzz $name in $pkg: FAILED" >&2
		status=1
	fi
done <<<"$targets"
exit $status
