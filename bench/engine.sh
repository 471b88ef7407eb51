#!/usr/bin/env bash
# Container start/stop latency and memory per container: stack's engine
# beside `docker run` on the same busybox image, in the same run.
#
#   bench/engine.sh [N]        (as root; N containers, default 50)
#
# stack is measured by runtime/linux's BenchmarkCreateStart with the shim
# that `make build` embeds. Docker is measured when Debian's docker.io is
# installed: a private dockerd is started (own data root, no iptables, no
# bridge) and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
N=${1:-50}
work=$(mktemp -d /tmp/stack-bench.XXXXXX)
cleanup() {
	[ -n "${dockerd_pid:-}" ] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -trimpath -o "$work/stack-shim" ./cmd/stack-shim
echo "== stack: $N containers (create+start, stop, remove)"
STACK_BENCH_BINARY="$work/stack-shim" go test ./runtime/linux/ -run '^$' -bench CreateStart \
	-benchtime "${N}x" -count 1 | grep Benchmark | tr -s ' \t' '\n' | paste - - | tail -n +3

if ! command -v dockerd >/dev/null; then
	echo "== docker: not installed (apt-get install docker.io to compare)"
	exit 0
fi
echo "== docker run: $N containers (run -d, stop -t 0, rm)"
mkdir -p "$work/rootfs/bin"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/sleep"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
sock="unix://$work/docker.sock"
dockerd --data-root "$work/docker" --exec-root "$work/exec" --pidfile "$work/docker.pid" \
	-H "$sock" --iptables=false --ip6tables=false --ip-forward=false --bridge=none >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 100); do docker -H "$sock" info >/dev/null 2>&1 && break; sleep 0.1; done
docker -H "$sock" import "$work/rootfs.tar" benchbox:latest >/dev/null
starts=() ; stops=()
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
for i in $(seq "$N"); do
	t=$(date +%s%N); docker -H "$sock" run -d --network none --name "b$i" benchbox sleep 300 >/dev/null; starts+=("$(ms "$t")")
done
pss=0
for p in $(pgrep -f "containerd-shim|^dockerd|^containerd" ); do
	v=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0); pss=$((pss + ${v:-0}))
done
for i in $(seq "$N"); do
	t=$(date +%s%N); docker -H "$sock" stop -t 0 "b$i" >/dev/null; stops+=("$(ms "$t")")
	docker -H "$sock" rm "b$i" >/dev/null
done
pct() { printf '%s\n' "$@" | sort -n | awk -v p="$PCT" '{a[NR]=$1} END {i=int((NR-1)*p/100)+1; print a[i]}'; }
PCT=50 s50=$(pct "${starts[@]}"); PCT=90 s90=$(pct "${starts[@]}"); PCT=99 s99=$(pct "${starts[@]}")
PCT=50 t50=$(pct "${stops[@]}")
echo -e "start-p50-ms\t$s50\nstart-p90-ms\t$s90\nstart-p99-ms\t$s99\nstop-p50-ms\t$t50"
echo -e "pss-MB/container\t$(awk -v k="$pss" -v n="$N" 'BEGIN{printf "%.2f", k/1024/n}') (dockerd+containerd+shims, $N running)"
