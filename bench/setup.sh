# Sourced by bench/run.sh: what both tools need before they are measured,
# and how everything goes away afterwards.
#
# stack and Docker each run in a throwaway network namespace of their own
# (made with `ip netns add`, entered with `nsenter --net`, which keeps the
# host's /sys and cgroups in view), so neither touches the host's firewall,
# forwarding or ports, nor sees the other's rules. stack keeps its state in a
# private root; dockerd is a private one (its own data root, exec root and
# socket) with its usual bridge and iptables, inside its namespace.

# need installs the Debian packages that are missing.
need() {
	local missing=()
	for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return
	echo "== installing ${missing[*]} (Debian packages)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$work/apt.log" 2>&1 ||
		{ cat "$work/apt.log"; return 1; }
}

# find_compose sets DC to Docker Compose v2: $BENCH_COMPOSE when set, else
# one built once from the Go module proxy and kept in bench/results/tools/.
# (Debian's docker-compose 1.29 cannot read these projects: it knows neither
# a top-level name: nor healthcheck.start_interval.)
find_compose() {
	if [ -n "${BENCH_COMPOSE:-}" ]; then
		DC=("$BENCH_COMPOSE")
	else
		local bin=$here/results/tools/docker-compose-$COMPOSE_VERSION
		[ -x "$bin" ] || build_compose "$bin" || {
			echo "bench: cannot build Docker Compose $COMPOSE_VERSION from the Go module proxy;" \
				"set BENCH_COMPOSE to a docker compose v2 binary" >&2
			return 1
		}
		DC=("$bin")
	fi
	COMPOSE_DESC="Docker Compose $("${DC[@]}" version --short 2>/dev/null || echo '?')"
}

build_compose() { # OUT
	local out=$1 mod=github.com/docker/compose/v2
	echo "== building $mod $COMPOSE_VERSION from the Go module proxy (once: kept as $out)"
	local dir
	dir=$(cd "$work" && go mod download -json "$mod@$COMPOSE_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
	[ -n "$dir" ] || return 1
	# go install refuses a module with exclude directives: build a copy.
	cp -r "$dir" "$work/compose-src" && chmod -R u+w "$work/compose-src"
	mkdir -p "$(dirname "$out")"
	(cd "$work/compose-src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
		-ldflags "-s -w -X $mod/internal.Version=$COMPOSE_VERSION" -o "$out.tmp" ./cmd) >"$work/compose-build.log" 2>&1 ||
		{ tail -20 "$work/compose-build.log" >&2; return 1; }
	mv "$out.tmp" "$out"
	rm -rf "$work/compose-src"
}

# namespaces makes the two network namespaces.
namespaces() {
	for ns in "$NS_STACK" "$NS_DOCKER"; do
		ip netns add "$ns"
		made_ns+=("$ns")
		ip -n "$ns" link set lo up
		# wrk's connection-rate runs open many short connections.
		nsenter --net="/run/netns/$ns" sysctl -qw net.ipv4.tcp_tw_reuse=1
	done
}

start_dockerd() {
	nsenter --net="/run/netns/$NS_DOCKER" dockerd --data-root "$work/docker" --exec-root "$work/exec" \
		--pidfile "$work/docker.pid" -H "unix://$DOCKER_SOCK" --cgroup-parent "/$NS_DOCKER" >"$work/dockerd.log" 2>&1 &
	dockerd_pid=$!
	for _ in $(seq 200); do dk info >/dev/null 2>&1 && return; sleep 0.1; done
	tail -20 "$work/dockerd.log" >&2
	echo "bench: dockerd did not start" >&2
	return 1
}

# images builds examples/webapp's images with stack (from the same static
# binaries and Dockerfiles as examples/run.sh, in a copy of their
# directories), makes stackbench/box (busybox and the DNS probe) with stack
# image import, and loads them all into Docker from one `stack image save`.
images() {
	echo "== images: built by stack, saved, loaded into Docker"
	for app in store web worker cli; do
		mkdir -p "$work/ctx/$app"
		cp "$top/examples/webapp/$app/Dockerfile" "$work/ctx/$app/"
		CGO_ENABLED=0 go build -trimpath -o "$work/ctx/$app/$app" "./examples/webapp/$app"
		"$STACK" image build -q -t "webapp-$app" "$work/ctx/$app" >/dev/null
	done
	local box=$work/box
	mkdir -p "$box/bin" "$box/tmp" "$box/etc"
	cp /bin/busybox "$box/bin/busybox"
	for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$box/bin/$a"; done
	CGO_ENABLED=0 go build -trimpath -o "$box/dnsprobe" ./bench/cmd/dnsprobe
	tar -C "$box" -cf "$work/box.tar" .
	"$STACK" image import -c 'ENV PATH=/bin' "$work/box.tar" stackbench/box >/dev/null
	"$STACK" image save -o "$work/images.tar" webapp-store webapp-web webapp-worker webapp-cli stackbench/box
	dk load -q -i "$work/images.tar" >/dev/null
}

# down removes a project with both tools, whatever state it is in.
down() { # COMPOSE-ARGS...
	s "$@" down -t 1 >/dev/null 2>&1 || true
	d "$@" down -t 1 --remove-orphans >/dev/null 2>&1 || true
}

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	echo "== cleaning up"
	if [ -n "${STACK:-}" ] && [ -x "${STACK:-}" ]; then
		for p in "${projects[@]}"; do down $p; done
	fi
	if [ -n "${dockerd_pid:-}" ]; then
		dk ps -aq 2>/dev/null | xargs -r "$DOCKER" -H "unix://$DOCKER_SOCK" rm -f >/dev/null 2>&1
		kill "$dockerd_pid" 2>/dev/null
		wait "$dockerd_pid" 2>/dev/null
	fi
	# Anything still running was started here: stop it by pid. A container's
	# init is PID 1 of its namespace, so killing it ends the container.
	for m in $(pgrep -f "^stack monitor $work/stack "); do
		pkill -9 -P "$m" 2>/dev/null
		kill -9 "$m" 2>/dev/null
	done
	for ns in "${made_ns[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
	done
	for _ in $(seq 50); do
		[ -z "$(for ns in "${made_ns[@]}"; do ip netns pids "$ns" 2>/dev/null; done)" ] && break
		sleep 0.1
	done
	for ns in "${made_ns[@]}"; do ip netns delete "$ns"; done
	# The containers' cgroups went with them; their parent is dockerd's own.
	find /sys/fs/cgroup/*/"$NS_DOCKER" -depth -type d -exec rmdir {} + 2>/dev/null
	# Mounts left under the work directory (none when all went well).
	if [ -n "${work:-}" ]; then
		findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r -n1 umount -l 2>/dev/null
		rm -rf "$work"
	fi
	exit $rc
}
