#!/usr/bin/env bash
# tempcreds export on a cache hit, side by side with the floor (a minimal Go
# program that reads the same JSON file and prints three export lines).
# Needs hyperfine (Debian package; installed if missing and we are root).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v hyperfine >/dev/null; then
	if [ "$(id -u)" = 0 ]; then apt-get install -y hyperfine >/dev/null || { apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null; }
	else echo "install hyperfine (apt-get install hyperfine)" >&2; exit 1; fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/tempcreds" ./cmd/tempcreds
go build -o "$work/floor" ./bench/floor
go build -o "$work/floor-sdk" ./bench/floor-sdk
# A valid cache file in aws-sts-helper's format (fake credentials): a hit
# needs no network and no STS.
exp=$(date -u -d '+6 hours' +%Y-%m-%dT%H:%M:%SZ)
cat > "$work/cache.json" <<JSON
{"Credentials":{"AccessKeyId":"ASIAFAKEBENCH0000001","SecretAccessKey":"fake-secret-bench","SessionToken":"fake-session-token-bench-$(printf 'x%.0s' {1..300})","Expiration":"$exp"},"AssumedRoleUser":{"AssumedRoleId":"AROAFAKE:bench","Arn":"arn:aws:sts::123456789012:assumed-role/Bench/bench"}}
JSON
chmod 600 "$work/cache.json"
export AWS_STS_ACCESS_KEY=AKIAFAKEBENCH AWS_STS_ACCESS_SECRET=fake AWS_ROLE_ARN=arn:aws:iam::123456789012:role/Bench
export AWS_STS_FILE_NAME="$work/cache.json" AWS_ENDPOINT_URL_STS=http://127.0.0.1:9
"$work/tempcreds" export >/dev/null # fails loudly if this is not a hit (the endpoint is closed)
hyperfine -N --warmup 20 --runs "${RUNS:-500}" --export-markdown "${OUT:-/dev/stdout}" \
	-n 'tempcreds export (cache hit)' "$work/tempcreds export" \
	-n 'floor: read JSON, print 3 lines' "$work/floor $work/cache.json" \
	-n 'floor linked with aws-sdk-go-v2 config+sts' "$work/floor-sdk $work/cache.json"
