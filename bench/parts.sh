# Sourced by bench/run.sh: one function a part. Each records its figures with
# metric (once) and sample (each run), stack and Docker alternating run by
# run so that the machine's moods fall on both.

webapp_f=(-f "$top/examples/webapp/compose.yaml" -f "$here/projects/webapp/healthcheck.yaml")
scale_f=(-f "$here/projects/scale/compose.yaml")
chain_f=(-f "$here/projects/chain/compose.yaml")
dns_f=(-f "$here/projects/dns/compose.yaml")
port_f=(-f "$here/projects/port/compose.yaml")
projects=("${webapp_f[*]}" "${scale_f[*]}" "${chain_f[*]}" "${dns_f[*]}" "${port_f[*]}")

# up -d and down of examples/webapp: store, then web and worker once the
# store is healthy.
part_webapp() {
	metric webapp.up ms lower '`up -d` of examples/webapp (3 containers, health-gated)'
	metric webapp.down ms lower '`down` of examples/webapp'
	for _ in $(seq "$RUNS"); do
		for t in stack docker; do
			measure webapp.up $t "${webapp_f[@]}" up -d
			running $t 3 "${webapp_f[@]}"
			measure webapp.down $t "${webapp_f[@]}" down
		done
	done
}

# up -d --scale web=N and down for N = 1, 10, 50, 100, and what each
# container beyond the first adds.
part_scale() {
	local ns=(1 10 50 100) n
	for n in "${ns[@]}"; do
		metric scale.up.$n ms lower "\`up -d --scale web=$n\`"
		metric scale.down.$n ms lower "\`down\` of $n"
	done
	metric scale.up.per ms lower '`up -d`: each container beyond the first (1 -> 100)'
	metric scale.down.per ms lower '`down`: each container beyond the first (1 -> 100)'
	for _ in $(seq "$RUNS"); do
		for t in stack docker; do
			local up1 down1 up down
			for n in "${ns[@]}"; do
				measure scale.up.$n $t "${scale_f[@]}" up -d --scale web=$n
				up=$LAST
				running $t $n "${scale_f[@]}"
				measure scale.down.$n $t "${scale_f[@]}" down
				down=$LAST
				if [ $n = 1 ]; then up1=$up down1=$down; fi
			done
			sample scale.up.per $t "$(awk -v a="$up1" -v b="$up" 'BEGIN{print (b-a)/99}')"
			sample scale.down.per $t "$(awk -v a="$down1" -v b="$down" 'BEGIN{print (b-a)/99}')"
		done
	done
}

# 20 services, 5 levels, each level waiting for the one before to be healthy.
part_chain() {
	metric chain.up ms lower '`up -d` of 20 services, chain of depth 5 gated by healthchecks'
	metric chain.down ms lower '`down` of the 20'
	for _ in $(seq "$RUNS"); do
		for t in stack docker; do
			measure chain.up $t "${chain_f[@]}" up -d
			running $t 20 "${chain_f[@]}"
			measure chain.down $t "${chain_f[@]}" down
		done
	done
}

# Start latency over $STARTS starts, two ways. The engine: stack's runtime
# (runtime/linux BenchmarkCreateStart: create+start of busybox sleep, the
# shim `make build` embeds, as bench/engine.sh does) beside `docker run -d
# --network none` of the same busybox; and the same on a bridge network,
# whose difference is what joining a network costs a container. The user's
# view: `run -d` of a one-off service container through each tool's CLI, on
# the project network.
part_start() {
	local p
	for p in 50 90 99; do metric start.engine.p$p ms lower "container start, engine, p$p of $STARTS"; done
	for p in 50 90 99; do metric start.run.p$p ms lower "one-off \`run -d\` of a service, p$p of $STARTS"; done
	metric memory.engine MB lower "memory per running container, engine (PSS; $STARTS busybox running)"

	metric start.network ms lower "network setup per container: start p50 on a bridge network less without"
	local out
	out=$(cd "$top" && STACK_BENCH_BINARY="$work/stack-shim" nsenter --net="/run/netns/$NS_STACK" \
		go test ./runtime/linux/ -run '^$' -bench 'CreateStart$|CreateStartNetworked$' -benchtime "${STARTS}x" -count 1 2>&1) ||
		{ echo "$out" >&2; return 1; }
	benchvalue() { # BENCHMARK UNIT
		echo "$out" | grep "^Benchmark$1-" | tr -s ' \t' '\n' | grep -B1 "^$2$" | head -1
	}
	for p in 50 90 99; do sample start.engine.p$p stack "$(benchvalue CreateStart start-p$p-ms)"; done
	sample memory.engine stack "$(benchvalue CreateStart pss-MB/container)"
	sample start.network stack "$(awk -v a="$(benchvalue CreateStartNetworked start-p50-ms)" \
		-v b="$(benchvalue CreateStart start-p50-ms)" 'BEGIN{printf "%.2f", a-b}')"
	local times=() nettimes=() i
	for i in $(seq "$STARTS"); do
		clock dk run -d --network none --name "start-$i" stackbench/box sleep 300
		times+=("$LAST")
	done
	sample memory.engine docker "$(pss $(ip netns pids "$NS_DOCKER") | awk -v n="$STARTS" '{printf "%.3f", $1/1024/n}')"
	dk ps -aq --filter name=start- | xargs -r "$DOCKER" -H "unix://$DOCKER_SOCK" rm -f >/dev/null
	for p in 50 90 99; do sample start.engine.p$p docker "$(pct $p "${times[@]}")"; done
	dk network create startnet >/dev/null
	for i in $(seq "$STARTS"); do
		clock dk run -d --network startnet --name "start-$i" stackbench/box sleep 300
		nettimes+=("$LAST")
	done
	dk ps -aq --filter name=start- | xargs -r "$DOCKER" -H "unix://$DOCKER_SOCK" rm -f >/dev/null
	for _ in $(seq 100); do dk network rm startnet >/dev/null 2>&1 && break; sleep 0.1; done # endpoints go after rm
	sample start.network docker "$(awk -v a="$(pct 50 "${nettimes[@]}")" -v b="$(pct 50 "${times[@]}")" 'BEGIN{printf "%.2f", a-b}')"

	for t in stack docker; do
		times=()
		for i in $(seq "$STARTS"); do
			measure - $t "${scale_f[@]}" run -d web
			times+=("$LAST")
		done
		for p in 50 90 99; do sample start.run.p$p $t "$(pct $p "${times[@]}")"; done
		measure - $t "${scale_f[@]}" down --remove-orphans
		[ $t = docker ] && dk ps -aq | xargs -r "$DOCKER" -H "unix://$DOCKER_SOCK" rm -f >/dev/null
	done
}

# PSS on the host per running container, with 100 web replicas up: stack's
# monitors and inits; Docker's dockerd, containerd and shims (everything in
# its namespace). Read $RUNS times, a second apart.
part_memory() {
	metric memory.pss MB lower 'memory per running container (PSS; 100 running)'
	for t in stack docker; do
		measure - $t "${scale_f[@]}" up -d --scale web=100
		running $t 100 "${scale_f[@]}"
		sleep 1
		for _ in $(seq "$RUNS"); do
			local pids
			if [ $t = stack ]; then
				pids=$(for m in $(pgrep -f "^stack monitor $STACK_ROOT "); do echo "$m"; pgrep -P "$m"; done)
			else
				pids=$(ip netns pids "$NS_DOCKER")
			fi
			sample memory.pss $t "$(pss $pids | awk '{printf "%.3f", $1/1024/100}')"
			sleep 1
		done
		measure - $t "${scale_f[@]}" down
	done
}

# DNS for a service name (two replicas) from inside a container, asked by
# the same static probe in both: latency with one asker, rate with 1 and 8.
part_dns() {
	metric dns.p50 µs lower 'DNS from a container, one asker, p50'
	metric dns.p99 µs lower 'DNS from a container, one asker, p99'
	metric dns.qps1 qps higher 'DNS queries per second, one asker'
	metric dns.qps8 qps higher 'DNS queries per second, 8 askers'
	for t in stack docker; do
		measure - $t "${dns_f[@]}" up -d
		running $t 3 "${dns_f[@]}"
	done
	for _ in $(seq "$RUNS"); do
		for t in stack docker; do
			local one eight
			one=$(tool $t "${dns_f[@]}" exec -T probe /dnsprobe -name web -n "$DNS_QUERIES" -askers 1)
			eight=$(tool $t "${dns_f[@]}" exec -T probe /dnsprobe -name web -n "$DNS_QUERIES" -askers 8)
			[ "$(json answers "$one")" = 2 ] || { echo "bench: $t: web should have 2 addresses: $one" >&2; return 1; }
			sample dns.p50 $t "$(json p50_us "$one")"
			sample dns.p99 $t "$(json p99_us "$one")"
			sample dns.qps1 $t "$(json qps "$one")"
			sample dns.qps8 $t "$(json qps "$eight")"
		done
	done
	for t in stack docker; do measure - $t "${dns_f[@]}" down; done
}

# wrk from the tool's namespace to 127.0.0.1:18080 (published) and to the
# same server at its own address: keep-alive requests, and new connections
# (Connection: close) per second. The direct runs ask a second container:
# stack's NAT sends published connections from the bridge's address, as the
# direct ones come, and one that reuses the source port of the other kind
# meets the server's TIME_WAIT with timestamps that do not match it, and
# waits a second.
part_port() {
	local pub=http://127.0.0.1:18080/healthz direct=http://172.30.99.11:8080/healthz
	metric port.rps.pub req/s higher 'HTTP requests/s through the published port (keep-alive)'
	metric port.rps.direct req/s higher 'HTTP requests/s to the container directly'
	metric port.pct % higher 'published port, % of direct requests/s (medians)'
	metric port.cps.pub conn/s higher 'new connections/s through the published port'
	metric port.cps.direct conn/s higher 'new connections/s to the container directly'
	for t in stack docker; do
		measure - $t "${port_f[@]}" up -d
		for _ in $(seq 100); do in_ns $t wget -q -O /dev/null "$pub" 2>/dev/null && break; sleep 0.1; done
	done
	local where t v
	declare -A rps=()
	for where in direct pub; do
		local url=$direct
		[ $where = pub ] && url=$pub
		for _ in $(seq "$RUNS"); do
			for t in stack docker; do
				v=$(wrkin $t "$url")
				sample port.rps.$where $t "$v"
				rps[$t.$where]+=" $v"
				v=$(wrkin $t -H 'Connection: close' "$url")
				sample port.cps.$where $t "$v"
			done
		done
	done
	for t in stack docker; do
		# shellcheck disable=SC2086 # the lists split into their values
		sample port.pct $t "$(awk -v a="$(pct 50 ${rps[$t.pub]})" -v b="$(pct 50 ${rps[$t.direct]})" 'BEGIN{printf "%.1f", 100*a/b}')"
	done
	for t in stack docker; do measure - $t "${port_f[@]}" down; done
}

# Load of one docker-save archive (one layer: the Go source tree), plain and
# gzip-compressed, made by stack: `stack image load` into an empty root
# beside `docker load` after the image is removed, so each unpacks every
# file. MB/s of the uncompressed layer (as bench/unpack.sh).
part_load() {
	local src
	src=$(go env GOROOT)/src
	tar -C "$src" -cf "$work/layer.tar" .
	gzip -1 -c "$work/layer.tar" >"$work/layer.tar.gz"
	local mb kind
	mb=$(stat -c %s "$work/layer.tar" | awk '{print $1/1048576}')
	for kind in tar gzip; do
		local layer=$work/layer.tar
		[ $kind = gzip ] && layer=$work/layer.tar.gz
		metric load.$kind MB/s higher "image load and unpack, ${mb%.*} MB layer ($kind)"
		STACK_ROOT=$work/make "$STACK" image import "$layer" "bench/load:$kind" >/dev/null
		STACK_ROOT=$work/make "$STACK" image save -o "$work/image-$kind.tar" "bench/load:$kind"
	done
	rm -rf "$work/make" "$work/layer.tar" "$work/layer.tar.gz"
	for i in $(seq "$RUNS"); do
		for kind in tar gzip; do
			clock env STACK_ROOT="$work/load" "$STACK" image load -q -i "$work/image-$kind.tar"
			rm -rf "$work/load"
			sample load.$kind stack "$(awk -v m="$mb" -v t="$LAST" 'BEGIN{printf "%.1f", m/(t/1000)}')"
			# Both tags: they share the layer, which must go too.
			dk rmi -f bench/load:tar bench/load:gzip >/dev/null 2>&1 || true
			clock dk load -q -i "$work/image-$kind.tar"
			sample load.$kind docker "$(awk -v m="$mb" -v t="$LAST" 'BEGIN{printf "%.1f", m/(t/1000)}')"
		done
	done
	dk rmi -f bench/load:tar bench/load:gzip >/dev/null 2>&1 || true
	rm -f "$work"/image-*.tar
}
