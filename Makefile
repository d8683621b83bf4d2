GO ?= go

.PHONY: test test-unit bench vet lint

# The test command (README.md): every suite, under the race detector.
test: vet
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed on:"; gofmt -l .; exit 1)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 .
