#!/usr/bin/env bash
# Prints every fuzz target of the module as NAME:./DIR (NAME:. for the
# root), found in the tests, so make fuzz never keeps a stale list.
set -euo pipefail
git grep -E '^func Fuzz[A-Za-z0-9_]+[(]' -- '*_test.go' | while IFS=: read -r file decl; do
	name=${decl#func }
	name=${name%%(*}
	dir=$(dirname "$file")
	if [ "$dir" = . ]; then echo "$name:."; else echo "$name:./$dir"; fi
done
