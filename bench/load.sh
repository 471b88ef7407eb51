#!/usr/bin/env bash
# A hundred containers under steady traffic for a while (ten minutes by
# default): do stack's processes keep their memory, descriptors and threads
# flat, and does every DNS question and HTTP request get its answer? As
# root, after `make build`:
#
#   bench/load.sh [SECONDS]      (default 600; `bench/load.sh 60` for a short run)
#
# Environment: WEB and ASKERS (replicas, default 50 each), HTTP_RPS (requests
# a second in all, default 200), DNS_QPS (questions a second per asker,
# default 4, after DNS_WARM questions at 100 a second, default 1000), INTERVAL
# and WARMUP (seconds between samples, default 30, and before the baseline
# sample, default 60; shorter for short runs).
#
# Everything runs in a throwaway network namespace (its loopback, and a
# veth pair, one end holding 192.0.2.1 as the host's own address) with a private
# STACK_ROOT, so that nothing touches the host's firewall or ports. The
# project: web (WEB replicas of a small Go HTTP server, ports
# 18000-... published, one a replica) and asker (ASKERS replicas asking
# the embedded DNS for web, asker and web's container names, plain and
# with EDNS: plain questions for the big answers come back truncated and
# are asked again over TCP). loadgen (bench/cmd/loadgen) drives HTTP from
# the namespace to 127.0.0.1 and 192.0.2.1, every other request on a new
# connection, and samples stack's monitors and inits (PSS from
# smaps_rollup, /proc/PID/fd, threads) every INTERVAL. It prints the
# samples and a verdict; the samples go to bench/results/load-*.json. Then
# the project goes down and nothing of it may be left: no stk link, no
# process, no mount under the root, no cgroup of its containers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
cd "$top"
export PATH="$PATH:/usr/local/go/bin"
[ "$(id -u)" = 0 ] || { echo "load: run as root" >&2; exit 1; }
[ -x bin/stack ] || { echo "load: no bin/stack: run make build first" >&2; exit 1; }
command -v busybox >/dev/null || { echo "load: needs busybox (Debian's busybox-static)" >&2; exit 1; }

secs=${1:-600}
[[ "$secs" =~ ^[0-9]+$ ]] && [ "$secs" -ge 20 ] || { echo "load: SECONDS must be a number, 20 or more" >&2; exit 2; }
WEB=${WEB:-50} ASKERS=${ASKERS:-50} HTTP_RPS=${HTTP_RPS:-200} DNS_QPS=${DNS_QPS:-4} DNS_WARM=${DNS_WARM:-1000}
if [ "$secs" -ge 300 ]; then def_int=30; else def_int=$((secs / 6 > 5 ? secs / 6 : 5)); fi
INTERVAL=${INTERVAL:-$def_int}
WARMUP=${WARMUP:-$((2 * INTERVAL))}
HOST_ADDR=192.0.2.1 PORT0=18000
PROJECT=stackload

work=$(mktemp -d /tmp/stack-load.XXXXXX)
ns=stackload-$$
export STACK_ROOT=$work/root
unset COMPOSE_PROJECT_NAME COMPOSE_FILE COMPOSE_PROFILES
STACK=$work/stack
ids=()

in_ns() { nsenter --net="/run/netns/$ns" "$@"; }
s() { in_ns "$STACK" -f "$work/project/compose.yaml" "$@"; }
ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
our_monitors() { pgrep -f "^stack monitor $STACK_ROOT " || true; }

# leftovers prints what the project left behind: stk links in the
# namespace, processes of the root, mounts under it, containers' cgroups.
leftovers() {
	in_ns ip -o link show | awk -F': ' '$2 ~ /^stk/ {print "link " $2}'
	for p in $(our_monitors); do echo "process $p (monitor)"; done
	for p in $(ip netns pids "$ns" 2>/dev/null); do echo "process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60))"; done
	findmnt -rn -o TARGET | grep "^$work/" | sed 's/^/mount /' || true
	for id in "${ids[@]}"; do
		for d in /sys/fs/cgroup/*/stack/"$id" /sys/fs/cgroup/stack/"$id"; do
			[ -d "$d" ] && echo "cgroup $d"
		done
	done
	return 0
}

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	if [ -x "$STACK" ] && [ -f "$work/project/compose.yaml" ] && [ -n "$(our_monitors)" ]; then
		s down -t 1 >/dev/null 2>&1
	fi
	# Anything still running was started here: stop it by pid. A container's
	# init is PID 1 of its namespace, so killing it ends the container.
	for m in $(our_monitors); do
		pkill -9 -P "$m" 2>/dev/null
		kill -9 "$m" 2>/dev/null
	done
	for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	for _ in $(seq 50); do
		[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
		sleep 0.1
	done
	ip netns delete "$ns" 2>/dev/null
	findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r -n1 umount -l 2>/dev/null
	for id in "${ids[@]}"; do rmdir /sys/fs/cgroup/*/stack/"$id" /sys/fs/cgroup/stack/"$id" 2>/dev/null; done
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== namespace $ns, root $STACK_ROOT"
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add ld0 type veth peer name ld1
ip -n "$ns" addr add "$HOST_ADDR/24" dev ld0
ip -n "$ns" link set ld0 up
ip -n "$ns" link set ld1 up
in_ns sysctl -qw net.ipv4.tcp_tw_reuse=1

echo "== image: busybox and loadgen"
cp bin/stack "$STACK"
box=$work/box
mkdir -p "$box/bin" "$box/tmp" "$box/etc"
cp "$(command -v busybox)" "$box/bin/busybox"
for a in sh ls cat ps nslookup wget; do ln -s busybox "$box/bin/$a"; done
CGO_ENABLED=0 go build -trimpath -o "$box/loadgen" ./bench/cmd/loadgen
CGO_ENABLED=0 go build -trimpath -o "$work/loadgen" ./bench/cmd/loadgen
tar -C "$box" -cf "$work/box.tar" .
"$STACK" image import -c 'ENV PATH=/bin' "$work/box.tar" stackload/box >/dev/null

mkdir -p "$work/project/out"
cat >"$work/project/compose.yaml" <<EOF
name: $PROJECT
services:
  web:
    image: stackload/box
    command: ["/loadgen", "web", "-addr", ":8080"]
    scale: $WEB
    ports: ["$PORT0-$((PORT0 + WEB - 1)):8080"]
  asker:
    image: stackload/box
    command: ["/loadgen", "ask", "-qps", "$DNS_QPS", "-warm", "$DNS_WARM", "-warm-qps", "100", "-max", "$WEB", "-out", "/out",
              "-ask", "web=$WEB,$PROJECT-web-{n}=1,web/edns=$WEB,asker/edns=$ASKERS"]
    scale: $ASKERS
    volumes: ["./out:/out"]
EOF

n=$((WEB + ASKERS))
echo "== up: $n containers"
t0=$(date +%s%N)
s up -d >"$work/up.log" 2>&1 || { tail -20 "$work/up.log" >&2; exit 1; }
echo "up -d: $(ms "$t0") ms"
s ps --format '{{.ID}} {{.Service}}' >"$work/services"
mapfile -t ids < <(awk '{print $1}' "$work/services")
[ ${#ids[@]} = "$n" ] || { echo "load: ${#ids[@]} containers running, want $n" >&2; s ps -a >&2; exit 1; }
for i in $(seq 100); do
	in_ns wget -q -O /dev/null "http://127.0.0.1:$((PORT0 + WEB - 1))/" 2>/dev/null && break
	[ "$i" = 100 ] && { echo "load: the last web replica does not answer on its port" >&2; exit 1; }
	sleep 0.1
done
touch "$work/project/out/go"

echo "== traffic for ${secs}s: $HTTP_RPS HTTP requests/s, $((ASKERS * DNS_QPS)) DNS questions/s (after $DNS_WARM an asker at 100/s); a sample every ${INTERVAL}s"
mkdir -p "$here/results"
out=$here/results/load-$(date +%Y%m%d-%H%M%S).json
set +e
in_ns "$work/loadgen" run -root "$STACK_ROOT" -duration "${secs}s" -interval "${INTERVAL}s" -warmup "${WARMUP}s" \
	-rps "$HTTP_RPS" -addrs "127.0.0.1,$HOST_ADDR" -ports "$PORT0-$((PORT0 + WEB - 1))" \
	-askers-dir "$work/project/out" -askers "$ASKERS" -containers "$n" -services "$work/services" -json "$out"
rc=$?
set -e

echo
t0=$(date +%s%N)
s down -t 2 >"$work/down.log" 2>&1 || { tail -20 "$work/down.log" >&2; rc=1; }
echo "down: $(ms "$t0") ms"
left=$(leftovers)
if [ -n "$left" ]; then
	echo "FAIL left behind after down:" >&2
	echo "$left" | head -20 >&2
	rc=1
else
	echo "ok   down left nothing (no stk link, process, mount or cgroup of the project)"
fi
echo "samples: $out"
exit $rc
