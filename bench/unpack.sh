#!/usr/bin/env bash
# Layer unpack throughput: `stack image load` of a docker save archive beside
# `docker load` of the same archive, in the same run.
#
#   bench/unpack.sh [DIR] [RUNS]   (as root; DIR becomes the image's one layer,
#                                   default the Go source tree; RUNS default 3)
#
# The archives are made by stack itself (image import, then image save): one
# layer, as a plain tar (what docker save writes) and gzip-compressed. Each load goes into an empty root, so every layer is unpacked,
# checked against its diffID and synced. MB/s is of the uncompressed layer.
# Docker is measured when dockerd is installed (Debian's docker.io): a
# private dockerd is started (own data root, no iptables, no bridge) and
# stopped afterwards. The unpacker alone (no store, no fsync) is measured by
# image's BenchmarkUnpack: go test ./image -run '^$' -bench Unpack.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
SRC=${1:-$(go env GOROOT)/src}
RUNS=${2:-3}
work=$(mktemp -d /tmp/stack-unpack.XXXXXX)
cleanup() {
	[ -n "${dockerd_pid:-}" ] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/stack" ./cmd/stack
tar -C "$SRC" -cf "$work/layer.tar" .
gzip -1 -c "$work/layer.tar" >"$work/layer.tar.gz"
bytes=$(stat -c %s "$work/layer.tar")
files=$(tar -tf "$work/layer.tar" | wc -l)
echo "== layer: $SRC, $files entries, $((bytes >> 20)) MB uncompressed"

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
report() { # name, milliseconds of each run
	local name=$1; shift
	local best; best=$(printf '%s\n' "$@" | sort -n | head -1)
	printf '%-20s runs-ms %-18s best %6d ms  %7.1f MB/s\n' "$name" "$*" "$best" \
		"$(awk -v b="$bytes" -v t="$best" 'BEGIN{print b/1048576/(t/1000)}')"
}
drop() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }

# One archive per layer form, made by stack: import, then save.
for kind in tar gzip; do
	layer="$work/layer.tar"; [ "$kind" = gzip ] && layer="$work/layer.tar.gz"
	STACK_ROOT="$work/make" "$work/stack" image import "$layer" "bench/unpack:$kind" >/dev/null
	STACK_ROOT="$work/make" "$work/stack" image save -o "$work/image-$kind.tar" "bench/unpack:$kind"
done
rm -rf "$work/make"

for kind in tar gzip; do
	times=()
	for i in $(seq "$RUNS"); do
		drop
		t=$(date +%s%N)
		STACK_ROOT="$work/root$i" "$work/stack" image load -q -i "$work/image-$kind.tar"
		times+=("$(ms "$t")")
		rm -rf "$work/root$i"
	done
	report "stack load ($kind)" "${times[@]}"
done

if ! command -v dockerd >/dev/null; then
	echo "docker load          not measured: dockerd is not installed (apt-get install docker.io to compare)"
	exit 0
fi
sock="unix://$work/docker.sock"
dockerd --data-root "$work/docker" --exec-root "$work/exec" --pidfile "$work/docker.pid" \
	-H "$sock" --iptables=false --ip6tables=false --ip-forward=false --bridge=none >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 100); do docker -H "$sock" info >/dev/null 2>&1 && break; sleep 0.1; done
if ! docker -H "$sock" info >/dev/null 2>&1; then
	echo "docker load          not measured: dockerd did not start (see $work/dockerd.log)"
	exit 0
fi
for kind in tar gzip; do
	times=()
	for i in $(seq "$RUNS"); do
		docker -H "$sock" rmi -f bench/unpack:tar bench/unpack:gzip >/dev/null 2>&1 || true
		drop
		t=$(date +%s%N)
		docker -H "$sock" load -q -i "$work/image-$kind.tar" >/dev/null
		times+=("$(ms "$t")")
	done
	report "docker load ($kind)" "${times[@]}"
done
