GO ?= go
STATICCHECK_VERSION := v0.8.2

.PHONY: minio test preflight devtools hygiene test-dates vet lint bench demo fuzz soak platforms release-check wine install

# The per-user development cache: every tool and build output the tests,
# the demo and Wine make lives there, never in the checkout.
DEV_BIN := $${TEMPCREDS_DEV_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/tempcreds-dev}/bin

# Long silent steps (cold compiles) print a line every 5 s.
BEAT := ./scripts/heartbeat.sh

# The test command (README.md): the tools it needs, lint, then every suite
# under the race detector.
test: preflight hygiene vet lint devtools
	@echo "test: every package under -race (cold: compiles first; the MinIO suites run 70-90 s of real expiries)"
	@$(BEAT) test $(GO) test -race -count=1 -timeout 20m ./...

# Every real consumer the suites use, listed with its install command if missing.
preflight:
	@./scripts/preflight.sh

# MinIO (pinned), built once per machine outside the checkout, with progress.
devtools:
	@$(BEAT) devtools $(GO) run ./internal/cmd/devtools

# No tracked file over 1 MiB: binaries and build outputs stay out of git;
# no fuzz seed corpus without its fuzz target.
hygiene:
	@big=$$(git ls-files -z | xargs -0 -r wc -c 2>/dev/null | awk '$$2 != "total" && $$1 > 1048576 {print "  " $$2 " (" $$1 " bytes)"}'); \
	if [ -n "$$big" ]; then echo "hygiene: tracked files over 1 MiB (binaries and build outputs stay out of git):"; echo "$$big"; exit 1; fi
	@./scripts/fuzzseeds.sh

# Install the CLI from this clone into $(go env GOPATH)/bin.
install:
	$(GO) install ./cmd/tempcreds
	@echo "installed $$($(GO) env GOPATH)/bin/tempcreds; add it to PATH: export PATH=\"$$($(GO) env GOPATH)/bin:\$$PATH\""

# Every package with tests, at other dates (../shared/tools/go-test-at
# shifts time.Now() in the test binaries): no test may depend on today's
# date. One is left out, because go-test-at cannot shift what it tests:
# cmd/tempcreds, the one home of the end-to-end suites, runs a freshly
# built binary and MinIO, child processes that keep the real clock while
# the test's fake STS and checks are shifted. Every other package is found by go list, so a new one
# joins without anyone remembering to add it.
GO_TEST_AT ?= $(firstword $(wildcard ../shared/tools/go-test-at /work/shared/tools/go-test-at) ../shared/tools/go-test-at)
DATE_EXCLUDED := ./cmd/tempcreds
DATE_SUITES = $(filter-out $(DATE_EXCLUDED),$(shell $(GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./... | sed 's|^github.com/tempcreds/tempcreds|.|'))
test-dates:
	@echo "test-dates: $(DATE_SUITES)"
	@for off in -2d +1d +400d; do $(GO_TEST_AT) $$off -timeout 10m $(DATE_SUITES) || exit 1; done

# Every platform tempcreds ships for: the CLI cross-built for linux,
# darwin and windows on amd64 and arm64, and every package and test vetted
# (so compiled) for darwin and windows.
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
platforms:
	@for p in $(PLATFORMS); do echo "build $$p"; GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/tempcreds || exit 1; done
	GOOS=darwin $(GO) vet ./...
	GOOS=windows $(GO) vet ./...

# The release configuration is valid and makes what a release ships,
# unpublished: the six archives (tar.gz, zip for Windows) and checksums.txt
# in dist/ (git-ignored), which README's install names.
GORELEASER_VERSION := v2.15.1
GORELEASER ?= $(shell command -v goreleaser || echo $(HOME)/go/bin/goreleaser)
release-check:
	@test -x "$(GORELEASER)" || $(BEAT) goreleaser $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)
	$(GORELEASER) check
	@$(BEAT) release-check $(GORELEASER) release --snapshot --clean --skip=publish
	@n=$$(ls dist/tempcreds_*.tar.gz dist/tempcreds_*.zip 2>/dev/null | wc -l); test "$$n" -eq 6 || (echo "release-check: want 6 archives in dist/, found $$n"; ls dist; exit 1)
	@test -s dist/checksums.txt || (echo "release-check: no dist/checksums.txt"; exit 1)
	@echo "release-check: $$(ls dist/tempcreds_*.tar.gz dist/tempcreds_*.zip | tr '\n' ' ')and dist/checksums.txt"

# Windows binaries under Wine (Debian's wine64, 8.0): the CLI's `version`
# and the server's whole test suite, executed, not only compiled. Wine 8.0
# lacks bcryptprimitives.dll, which Go's runtime loads at start-up: a
# 20-line shim over Wine's RtlGenRandom (internal/winshim, built with
# mingw-w64) goes into a private prefix. The other suites do not run under
# Wine 8.0: Go 1.26's os.RemoveAll (t.TempDir's cleanup) needs
# FileDispositionInformationEx, which Wine 8.0 does not implement, and Wine
# derives file ACLs from Unix modes instead of keeping the owner-only ACL
# tempcreds sets, so its Windows ACL and rename code cannot be judged there.
WINE ?= /usr/lib/wine/wine64
WINE_DIR := $(DEV_BIN)/wine
WINE_PREFIX := $(DEV_BIN)/wineprefix
wine:
	@mkdir -p "$(WINE_DIR)"
	x86_64-w64-mingw32-gcc -shared -O2 -o "$(WINE_DIR)/bcryptprimitives.dll" internal/winshim/bcryptprimitives.c -ladvapi32
	@test -d "$(WINE_PREFIX)/drive_c/windows/system32" || WINEPREFIX="$(WINE_PREFIX)" WINEDEBUG=-all $(WINE) wineboot -i >/dev/null 2>&1
	cp "$(WINE_DIR)/bcryptprimitives.dll" "$(WINE_PREFIX)/drive_c/windows/system32/"
	GOOS=windows GOARCH=amd64 $(GO) build -o "$(WINE_DIR)/tempcreds.exe" ./cmd/tempcreds
	WINEPREFIX="$(WINE_PREFIX)" WINEDEBUG=-all $(WINE) "$(WINE_DIR)/tempcreds.exe" version | grep -q 'windows/amd64'
	GOOS=windows GOARCH=amd64 $(GO) test -c -o "$(WINE_DIR)/server.test.exe" ./server
	cd "$(WINE_DIR)" && WINEPREFIX="$(WINE_PREFIX)" WINEDEBUG=-all $(WINE) server.test.exe -test.count=1 -test.timeout=10m

vet:
	@echo "vet: go vet and gofmt"
	@$(BEAT) vet $(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed on:"; gofmt -l .; exit 1)

lint:
	@echo "lint: staticcheck $(STATICCHECK_VERSION)"
	@$(BEAT) lint $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# Benchmarks of docs/benchmarks.md, each beside its peer in the same run.
bench:
	./bench/run-all.sh

# The README's "run it" command: tempcreds against a local MinIO STS, step by
# step. The demo is built into the per-user development cache (never the
# checkout) and exec'd, so stopping make stops it and it cleans up.
demo:
	@echo "demo: compiling tempcreds and the demo (cold: about a minute on two cores; then MinIO, once per machine)"
	@$(BEAT) demo $(GO) build -o "$(DEV_BIN)/demo" ./internal/cmd/demo
	@exec "$(DEV_BIN)/demo"

# A local MinIO with the README quick start's profiles, until Ctrl-C.
minio:
	@$(BEAT) minio $(GO) build -o "$(DEV_BIN)/demo" ./internal/cmd/demo
	@exec "$(DEV_BIN)/demo" -minio

# Every fuzz target: `make fuzz` runs each for FUZZTIME (10 minutes). CI
# runs a bounded count of inputs per target (`make fuzz FUZZTIME=100000x`):
# a count, unlike a time limit, cannot end with Go's spurious "context
# deadline exceeded" when the timer fires mid-exchange with a worker.
FUZZTIME ?= 10m
# Every fuzz target of every package, found in the tests (NAME:./DIR), so a
# moved or new target is fuzzed without anyone editing a list.
FUZZ_TARGETS = $(shell ./scripts/fuzztargets.sh)
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; pkg=$${t#*:}; \
		echo "fuzzing $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

# Crash safety: 1,000 SIGKILLs of cache writers (CI's make test runs 200).
soak:
	TEMPCREDS_KILL_TRIES=1000 $(GO) test -count=1 -run 'TestKilledWritersNeverLeaveATornEntry' -v ./internal/filecache
