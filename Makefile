# omnicast — make run serves the app, make test checks everything.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin/omnicast

.PHONY: run build generate test test-go lint fmt-check vet generate-check bench bench-sending clean

run: build
	./$(BIN) serve

build:
	go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/omnicast

generate:
	go tool templ generate

lint: fmt-check vet

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...

# Generated templ code must be committed and current.
generate-check:
	go tool templ generate
	@git diff --exit-code -- '*_templ.go' || (echo "generated templ code was stale: run 'make generate' and commit"; exit 1)
	@untracked=$$(git ls-files --others --exclude-standard -- '*_templ.go'); \
	if [ -n "$$untracked" ]; then echo "uncommitted generated files: $$untracked"; exit 1; fi

test-go:
	go test -race -count=1 -timeout 15m ./...

test: fmt-check vet generate-check test-go

# Benchmarks only — never part of `make test` (-run '^$$' runs no tests; plain
# `go test` runs no benchmarks and generates no data). The contact-filter
# benchmark loads OMNICAST_BENCH_CONTACTS contacts (default 100000) into SQLite,
# and into PostgreSQL too when OMNICAST_TEST_DATABASE_URL is set, and prints one
# "FIGURE" line per measurement, e.g. make bench OMNICAST_BENCH_CONTACTS=1000000
# The sending benchmark (jobs: BenchmarkSendingFigures) needs PostgreSQL
# (OMNICAST_TEST_DATABASE_URL); `make bench-sending` runs it alone.
OMNICAST_BENCH_CONTACTS ?= 100000
bench:
	OMNICAST_BENCH_CONTACTS=$(OMNICAST_BENCH_CONTACTS) go test -run '^$$' -bench . -benchtime 1x -timeout 120m ./...

bench-sending:
	go test -run '^$$' -bench SendingFigures -benchtime 1x -timeout 60m ./jobs

clean:
	rm -rf bin
