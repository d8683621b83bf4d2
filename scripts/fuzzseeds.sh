#!/usr/bin/env bash
# Every fuzz seed corpus (PKG/testdata/fuzz/FuzzName) belongs to a fuzz
# target FuzzName in PKG's tests: a target that moved leaves no orphan.
set -euo pipefail
status=0
while IFS= read -r dir; do
	name=$(basename "$dir")
	pkg=$(dirname "$(dirname "$(dirname "$dir")")")
	if ! grep -qs "^func $name(" "$pkg"/*_test.go; then
		echo "hygiene: $dir has no fuzz target $name in $pkg: move the seeds with the target"
		status=1
	fi
done < <(git ls-files '*/testdata/fuzz/*' | xargs -r -n1 dirname | sort -u)
exit $status
