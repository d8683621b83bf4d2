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
# The seed's own stack: Node with the JavaScript SDK v2 reading the same file.
peer=()
if command -v npm >/dev/null; then
	mods="${XDG_CACHE_HOME:-$HOME/.cache}/tempcreds-dev/bench-node/node_modules"
	[ -f "$mods/aws-sdk/package.json" ] || npm install --prefix "${mods%/node_modules}" --no-audit --no-fund --loglevel=error aws-sdk@2.1693.0 >/dev/null
	cat > "$work/helper.js" <<'JS'
const AWS = require("aws-sdk");
const d = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const c = new AWS.Credentials(d.Credentials.AccessKeyId, d.Credentials.SecretAccessKey, d.Credentials.SessionToken);
console.log(`export AWS_ACCESS_KEY_ID=${c.accessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}\nexport AWS_SESSION_TOKEN=${c.sessionToken}`);
JS
	peer=(-n 'node + aws-sdk v2: read the file, print exports (the seed stack)' "env NODE_PATH=$mods AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1 node $work/helper.js $work/cache.json")
fi
# The AWS CLI v2 (Debian's awscli package; pip's v1 lacks the command).
if ! /usr/bin/aws --version 2>/dev/null | grep -q '^aws-cli/2' && [ "$(id -u)" = 0 ]; then
	apt-get install -y awscli >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y awscli >/dev/null; } || true
fi
if /usr/bin/aws --version 2>/dev/null | grep -q '^aws-cli/2'; then
	peer+=(-n 'aws configure export-credentials (AWS CLI v2, Debian)' "env AWS_ACCESS_KEY_ID=AKIAFAKEBENCH AWS_SECRET_ACCESS_KEY=fake AWS_CONFIG_FILE=/dev/null /usr/bin/aws configure export-credentials --format env")
fi
hyperfine -N --warmup 20 --runs "${RUNS:-500}" --export-markdown "${OUT:-/dev/stdout}" \
	-n 'tempcreds export (cache hit)' "$work/tempcreds export" \
	-n 'floor: read JSON, print 3 lines' "$work/floor $work/cache.json" \
	-n 'floor linked with aws-sdk-go-v2 config+sts' "$work/floor-sdk $work/cache.json" \
	"${peer[@]}"
