GO ?= go

.PHONY: all test vet fmt-check lint check-generated conformance generate spec bench fuzz demo

all: test

## test: everything CI runs — formatting, vet, staticcheck, the generated-code check, the race-enabled
## tests, and the benchmark module's own tests (records equal to encoding/json's, ogen client up to date).
## Works offline once the module cache is filled (the tools are pinned in tools/go.mod).
## Cold (empty build and module caches, fresh clone) it took 17 minutes on 2 cores; warm about 9 minutes.
test: fmt-check vet lint check-generated
	@echo "== go test -race ./... (the longest step: minutes on a cold build cache)"
	$(GO) test -race -count=1 -timeout 30m ./...
	@echo "== bench module: vet and tests"
	cd bench && $(GO) vet ./... && $(GO) test -count=1 ./...
	@echo "== all checks passed"

vet:
	@echo "== go vet"
	$(GO) vet ./...

fmt-check:
	@echo "== gofmt"
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## lint: staticcheck, the version pinned in tools/go.mod (built once, then from the build cache)
lint:
	@echo "== staticcheck (pinned in tools/go.mod)"
	@sc=$$($(GO) -C tools tool -n staticcheck) && echo "$$sc ./... (and in bench/)" && $$sc ./... && cd bench && $$sc ./...

## check-generated: openapi.yaml matches the model and api/ matches openapi.yaml
check-generated:
	@echo "== generated code is up to date (builds the pinned oapi-codegen on first use)"
	$(GO) test -count=1 -run 'TestGeneratedCodeIsUpToDate|TestSpecMatchesStandardModel' .

## conformance: openapi.yaml against the OpenAPI document a 1.x server served (a third-party file
## outside this repository: TWENTY_REFERENCE_SPEC=path, or shared/reference/ in a parent directory;
## skipped when absent)
conformance:
	$(GO) test -count=1 -v -run '^TestConformsToReferenceSpec$$' .

## generate: regenerate api/ from openapi.yaml with the oapi-codegen pinned in tools/go.mod
generate:
	$(GO) generate .

## spec: rebuild openapi.yaml — from your workspace when TWENTY_API_KEY is set
## (OBJECTS=invoices,projects limits it to the standard objects plus those),
## otherwise from the standard model in internal/model/standard.json
spec:
ifdef TWENTY_API_KEY
	$(GO) run ./cmd/twenty-spec -from-env $(if $(OBJECTS),-objects $(OBJECTS)) -o openapi.yaml
else
	$(GO) run ./cmd/twenty-spec -o openapi.yaml
endif

## fuzz: run every fuzz target for FUZZTIME (default 30s), one at a time;
## `go test` (and so `make test`) runs their seed corpora anyway.
## FUZZ_TARGETS lists package:target; a test checks that it names them all.
FUZZTIME ?= 30s
FUZZ_TARGETS = \
	.:FuzzErrorBody .:FuzzSuccessBody .:FuzzCursorRoundTrip .:FuzzWithBaseURL \
	.:FuzzBuilderRoundTrip .:FuzzRawFilter \
	./authn:FuzzClassify ./authn:FuzzNormalizeBaseURL \
	./internal/query:FuzzParseFilter ./internal/query:FuzzParseOrderBy \
	./webhook:FuzzVerify ./webhook:FuzzDecode \
	./transfer:FuzzConvert

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "== $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

## bench: the benchmarks of bench/ (a nested module: ogen and benchstat stay out
## of the library's go.mod), BENCH_COUNT runs each (default 6), then every target
## with its measured ratio (PASS/MISS) and benchstat's summary. Output: bench/bench.txt.
BENCH_COUNT ?= 6
BENCH_TIME ?= 1s
bench:
	cd bench && $(GO) test -run '^$$' -bench . -benchtime $(BENCH_TIME) -count $(BENCH_COUNT) -timeout 60m . | tee bench.txt
	cd bench && $(GO) run ./cmd/report bench.txt
	cd bench && $(GO) run golang.org/x/perf/cmd/benchstat bench.txt

## demo: the one-command tour against the built-in fake
demo:
	$(GO) run ./cmd/twenty demo
