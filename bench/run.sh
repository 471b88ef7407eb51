#!/usr/bin/env bash
# stack beside Docker Compose on the same projects and images, in one run:
# a table of both figures and how far stack is ahead, and every sample as
# JSON in bench/results/. As root (make bench runs all of it).
#
#   bench/run.sh [PART...]     PART: webapp scale chain start memory dns port load
#                              (default: all, about 15 minutes)
#
# Environment: RUNS (runs a figure, default 5), STARTS (starts for the
# latency percentiles, default 100), COMPOSE_VERSION (default v2.40.3),
# BENCH_COMPOSE (a docker compose v2 binary to use instead of building one).
#
# Docker is Debian's docker.io (installed when missing), a private dockerd.
# Docker Compose v2 is not packaged by Debian, so it is built once from the
# Go module proxy into bench/results/tools/. Both tools run the same images:
# built by stack, then `stack image save` | `docker load`. See setup.sh for
# the namespaces everything runs in, parts.sh for what each part measures.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
cd "$top"
export PATH="$PATH:/usr/local/go/bin"
all=(webapp scale chain start memory dns port load)
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=("${all[@]}")
for p in "${parts[@]}"; do
	[[ " ${all[*]} " == *" $p "* ]] || { echo "bench: no part $p (parts: ${all[*]})" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }

RUNS=${RUNS:-5} STARTS=${STARTS:-100} COMPOSE_VERSION=${COMPOSE_VERSION:-v2.40.3}
DNS_QUERIES=${DNS_QUERIES:-20000} WRK_SECONDS=${WRK_SECONDS:-2}
DOCKER=/usr/bin/docker # Debian's CLI, the same version as its dockerd
work=$(mktemp -d /tmp/stack-bench.XXXXXX)
NS_STACK=stackbench-$$-stack NS_DOCKER=stackbench-$$-docker
DOCKER_SOCK=$work/docker.sock
export STACK_ROOT=$work/stack DOCKER_HOST=unix://$DOCKER_SOCK DOCKER_CONFIG=$work/docker-config
export WEB_PORT=8080
unset COMPOSE_PROJECT_NAME COMPOSE_FILE COMPOSE_PROFILES
made_ns=() projects=()
raw=$work/raw.tsv

source "$here/setup.sh"
source "$here/parts.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

# Records for benchreport.
info() { printf 'info\t%s\t%s\n' "$1" "$2" >>"$raw"; }
note() { printf 'note\t%s\n' "$*" >>"$raw"; echo "note: $*" >&2; }
metric() { printf 'metric\t%s\t%s\t%s\t%s\n' "$@" >>"$raw"; }
sample() { printf 'sample\t%s\t%s\t%s\n' "$@" >>"$raw"; }

# The tools, each in its namespace.
in_ns() { # stack|docker COMMAND...
	local ns=$NS_STACK
	[ "$1" = docker ] && ns=$NS_DOCKER
	shift
	nsenter --net="/run/netns/$ns" "$@"
}
s() { in_ns stack "$STACK" "$@"; }
d() { in_ns docker "${DC[@]}" "$@"; }
dk() { "$DOCKER" -H "unix://$DOCKER_SOCK" "$@"; }
tool() { # stack|docker COMPOSE-ARGS...
	local t=$1
	shift
	if [ "$t" = stack ]; then s "$@"; else d "$@"; fi
}

# clock runs a command, its output kept aside, and sets LAST to its wall
# time in milliseconds; a failure shows the output and fails. The clock is
# bash's own: a $(date) on each side would add its fork and exec, some
# 1.2 ms here, to every figure.
clock() {
	local t0 t1
	t0=$EPOCHREALTIME
	if ! "$@" >"$work/last.log" 2>&1; then
		echo "bench: failed: $*" >&2
		tail -20 "$work/last.log" >&2
		return 1
	fi
	t1=$EPOCHREALTIME
	LAST=$(awk -v a="${t0/[.,]/}" -v b="${t1/[.,]/}" 'BEGIN{printf "%.1f", (b-a)/1e3}')
}
measure() { # KEY|- stack|docker COMPOSE-ARGS...
	local key=$1
	shift
	clock tool "$@"
	[ "$key" = - ] || sample "$key" "$1" "$LAST"
}
running() { # stack|docker N COMPOSE-ARGS...
	local t=$1 n=$2
	shift 2
	local got
	got=$(tool $t "$@" ps -q | grep -c .) || true
	[ "$got" = "$n" ] || { echo "bench: $t: $got containers running, want $n" >&2; return 1; }
}
pct() { # P VALUE... -> the P-th percentile, (n-1)*P/100 of the sorted values
	local p=$1
	shift
	printf '%s\n' "$@" | sort -g | awk -v p="$p" '{a[NR]=$1} END {print a[int((NR-1)*p/100)+1]}'
}
pss() { # PID... -> KiB
	local sum=0 v p
	for p in "$@"; do
		v=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null) || v=0
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}
json() { echo "$2" | sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p"; }
wrkin() { # stack|docker [WRK-ARGS...] URL -> requests per second
	local t=$1
	shift
	local out
	out=$(in_ns $t wrk -t2 -c32 -d"${WRK_SECONDS}s" "$@")
	if grep -q 'Non-2xx' <<<"$out"; then echo "bench: $t: wrk $*: $out" >&2; return 1; fi
	awk '/^Requests\/sec:/{print $2}' <<<"$out"
}

need docker.io wrk busybox-static
find_compose
echo "== building stack"
make -s build >/dev/null
mkdir -p "$work/bin"
cp bin/stack "$work/bin/stack"
cp cmd/stack/shim/stack-shim "$work/stack-shim"
STACK=$work/bin/stack
namespaces
start_dockerd
images

info machine "$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GB, Debian $(cat /etc/debian_version), Linux $(uname -r), cgroup $([ -d /sys/fs/cgroup/memory ] && echo v1 || echo v2)"
info stack "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo '+changes')"
info docker "Docker Engine $(dk version --format '{{.Server.Version}}') (Debian's docker.io), containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1{print $3}')"
info compose "$COMPOSE_DESC"
info runs "$RUNS"
info parts "${parts[*]}"

for p in "${parts[@]}"; do
	echo "== $p"
	set +e
	(set -e; "part_$p")
	rc=$?
	set -e
	if [ $rc != 0 ]; then
		note "part $p failed (exit $rc); its figures are missing or partial"
		for pr in "${projects[@]}"; do down $pr; done
	fi
done

mkdir -p "$here/results"
out=$here/results/bench-$(date +%Y%m%d-%H%M%S).json
echo
go run ./bench/cmd/benchreport -in "$raw" -json "$out"
echo
sed -n 's/^info\t\([a-z]*\)\t/\1: /p' "$raw" | grep -v '^parts: '
echo "raw samples: $out"
