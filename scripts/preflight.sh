#!/bin/sh
# preflight.sh: before any test runs, list every tool the suites use as
# real consumers that this machine lacks, each with its install command,
# and stop. The tests never skip a missing consumer: they would fail one by
# one after minutes of running instead.
missing=0
need() { # need WHAT INSTALL
	echo "preflight: missing $1"
	echo "    install: $2"
	missing=$((missing + 1))
}
command -v go >/dev/null 2>&1 || need "go (1.25 or newer)" "https://go.dev/dl/"
command -v aws >/dev/null 2>&1 || need "the AWS CLI (aws)" "sudo apt-get install awscli   # or: pipx install awscli; brew install awscli"
command -v node >/dev/null 2>&1 || need "node (Node.js 18+)" "sudo apt-get install nodejs   # or: brew install node"
command -v npm >/dev/null 2>&1 || need "npm" "sudo apt-get install npm   # or: brew install node"
command -v dash >/dev/null 2>&1 || need "dash (a POSIX shell the exports are tested in)" "sudo apt-get install dash   # or: brew install dash"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import boto3' 2>/dev/null || need "boto3 for python3" "sudo apt-get install python3-boto3   # or: python3 -m pip install --user boto3"
else
	need "python3 with boto3" "sudo apt-get install python3 python3-boto3   # or: brew install python; pip3 install boto3"
fi
if [ "$missing" -gt 0 ]; then
	echo "preflight: $missing tool(s) missing; make test uses each as a real consumer of the credentials (.ci/run installs them on Debian)"
	exit 1
fi
echo "preflight: go, aws, node, npm, dash, python3 with boto3: all found"
