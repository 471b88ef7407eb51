#!/usr/bin/env bash
# Installs the Debian packages stack needs: "run" for the examples (the
# default), "test" for the test suite and benchmarks as well.
#   docker-registry: registry tests push and pull against a real one
#   docker.io:       a test checks stack beside a real dockerd; benchmarks compare
set -euo pipefail
pkgs=(busybox-static curl iproute2)
if [ "${1:-run}" = test ]; then
	pkgs+=(docker-registry docker.io file nftables)
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
fi
