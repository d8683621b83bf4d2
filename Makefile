GO ?= go
STATICCHECK_VERSION := v0.8.2

.PHONY: test test-dates vet lint bench demo fuzz soak

# The test command (README.md): lint, then every suite under the race detector.
test: vet lint
	$(GO) test -race -count=1 -timeout 20m ./...

# The in-process suites at other dates (../shared/tools/go-test-at shifts
# time.Now() in the test binaries): no test may depend on today's date.
GO_TEST_AT ?= $(firstword $(wildcard ../shared/tools/go-test-at /work/shared/tools/go-test-at) ../shared/tools/go-test-at)
DATE_SUITES := . ./filecache ./server ./internal/cli ./helper ./internal/ststest ./chain ./containercreds
test-dates:
	@for off in -2d +1d +400d; do $(GO_TEST_AT) $$off -timeout 10m $(DATE_SUITES) || exit 1; done

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
	$(GO) run ./internal/cmd/demo

# Every fuzz target: `make fuzz` runs each for FUZZTIME (10 minutes). CI
# runs a bounded count of inputs per target (`make fuzz FUZZTIME=100000x`):
# a count, unlike a time limit, cannot end with Go's spurious "context
# deadline exceeded" when the timer fires mid-exchange with a worker.
FUZZTIME ?= 10m
FUZZ_TARGETS := FuzzAnswer:./containercreds FuzzSTSErrorBody:. FuzzReadEntry:./filecache FuzzAssumedRoleMatches:./filecache \
	FuzzParseDuration:./internal/cli FuzzTagsAndPolicy:./internal/cli FuzzOutputsParseBack:./internal/cli \
	FuzzProfileConfig:./chain FuzzResolveRequest:./chain
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; pkg=$${t#*:}; \
		echo "fuzzing $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

# Crash safety: 1,000 SIGKILLs of cache writers (CI's make test runs 200).
soak:
	TEMPCREDS_KILL_TRIES=1000 $(GO) test -count=1 -run 'TestKilledWritersNeverLeaveATornEntry' -v ./filecache
