#!/bin/sh
# Builds the examples' programs (static Go binaries the images are made
# of), then brings up the first example, examples/webapp, with three
# workers, and asks its web front end for a page.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
STACK=${STACK:-$top/bin/stack}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PORT=${WEB_PORT:-8080}

for app in store web worker cli; do
	(cd "$top" && CGO_ENABLED=0 "$GO" build -trimpath -o "examples/webapp/$app/$app" "./examples/webapp/$app")
done

cd "$here/webapp"
echo "+ stack up -d --wait --scale worker=3"
WEB_PORT=$PORT "$STACK" up -d --wait --scale worker=3
echo "+ stack ps"
"$STACK" ps

get() {
	if command -v curl >/dev/null; then curl -fsS "$1"
	elif command -v wget >/dev/null; then wget -qO- "$1"
	else busybox wget -qO- "$1"
	fi
}
sleep 1 # the workers get a few jobs done
for i in 1 2 3; do
	echo "+ GET http://127.0.0.1:$PORT/"
	get "http://127.0.0.1:$PORT/"
done
echo "+ stack run --rm cli GET jobs"
"$STACK" run --rm cli GET jobs
echo
echo "It runs. Stop it with: (cd examples/webapp && $STACK down)"
