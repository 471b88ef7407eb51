#!/bin/sh
# Builds stack-init to $1 as stack embeds it: the one place that knows its
# flags (the Makefile's build and runtime/linux's tests run it). On amd64
# the kernel enters the assembly entry directly, without the Go runtime.
# GO names the go command (default: go); GOARCH and the like are honoured.
set -eu
out=$1
case $out in /*) ;; *) out=$PWD/$out ;; esac
cd "$(dirname "$0")"
GO=${GO:-go}
set -- -trimpath
if [ "$("$GO" env GOARCH)" = amd64 ]; then
	set -- "$@" -ldflags=-E=main.entry
fi
CGO_ENABLED=0 exec "$GO" build "$@" -o "$out" .
