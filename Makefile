# stack: build, test and try it.
GO ?= $(shell command -v go || echo /usr/local/go/bin/go)
export PATH := $(PATH):/usr/local/go/bin

.PHONY: build deps test vet fuzz example clean

# The lean monitor-and-init binary and the leaner init first: stack embeds them.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o cmd/stack/shim/stack-shim ./cmd/stack-shim
	GO=$(GO) ./cmd/stack-init/build.sh cmd/stack/shim/stack-init
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/stack ./cmd/stack

# Debian packages the tests and examples need (run as root).
deps:
	./scripts/deps.sh test

vet:
	$(GO) vet ./...

# Everything, for real: run as root so the engine tests run containers.
# Then every fuzz target for a bounded time (scripts/fuzz.sh).
test: vet
	$(GO) test -count=1 -timeout 20m ./...
	GO=$(GO) ./scripts/fuzz.sh

# Bounded fuzzing of the loaders and parsers alone (FUZZTIME=15s each).
fuzz:
	GO=$(GO) ./scripts/fuzz.sh

example: build
	./scripts/deps.sh run
	./examples/run.sh

bench: build ; ./bench/run.sh $(PARTS)
clean:
	rm -rf bin cmd/stack/shim/stack-shim cmd/stack/shim/stack-init
