GO ?= go
STATICCHECK_VERSION := v0.8.2

.PHONY: test vet lint bench demo

# The test command (README.md): lint, then every suite under the race detector.
test: vet lint
	$(GO) test -race -count=1 -timeout 20m ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed on:"; gofmt -l .; exit 1)

lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# Benchmarks of the README tables, each beside its peer in the same run.
bench:
	./bench/run-all.sh

# The README's "run it" command: tempcreds against a local MinIO STS, step by step.
demo:
	$(GO) run ./internal/demo
