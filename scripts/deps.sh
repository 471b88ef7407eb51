#!/usr/bin/env bash
# Installs the Debian packages stack's tests and examples use.
set -euo pipefail
# docker.io: tests check stack beside a real dockerd, and benchmarks compare.
pkgs=(busybox-static docker-registry docker.io file iproute2 nftables)
missing=()
for p in "${pkgs[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
fi
