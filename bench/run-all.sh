#!/usr/bin/env bash
# make bench: every benchmark, each beside its peer in the same run, into
# bench/results-latest.md (git-ignored). Absolute times vary run to run on
# shared machines: read the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results-latest.md
{
	echo "# tempcreds benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
	echo
	echo "## 1. Cache.Retrieve vs time.Now() and aws.CredentialsCache (go test -bench 'Retrieve|TimeNow' -count 5)"
	echo '```'
	go test -run '^$' -bench 'Retrieve|TimeNow' -benchmem -count 5 . | grep -E '^Benchmark'
	echo '```'
	echo
	echo "## 2. Callers during a refresh with 200 ms STS latency (go run ./bench/refresh-latency)"
	go run ./bench/refresh-latency
	echo
	echo "## 3. Three-hop chain with MFA: STS calls and prompts vs aws-sdk-go-v2 (go test -bench ChainVsSDK ./chain)"
	go test -run "^$" -bench ChainVsSDK -benchtime 3x ./chain
	echo
	echo "## 4. tempcreds export on a cache hit (./bench/export-cache-hit.sh)"
	RUNS="${RUNS:-300}" OUT=/dev/stdout ./bench/export-cache-hit.sh 2>/dev/null | sed -n '/^|/p'
	echo
	echo "## 5. tempcreds serve under load (go run ./bench/serve-load)"
	go run ./bench/serve-load -duration "${SERVE_DURATION:-60s}"
	echo
	echo "## 6. Fleet of 10,000 hosts over 24 simulated hours (go test -bench Fleet ./server)"
	go test -run "^$" -bench Fleet -benchtime 1x ./server
} | tee "$out"
echo "written to $out" >&2
