# Broadsheet. `make test` is the one gate: it installs what the tests need
# (Debian's Chromium and fonts) when missing, then vets and tests everything.

GO ?= go
ARTIFACTS ?= $(CURDIR)/test-output

.PHONY: test test-deps vet lint build run bench clean fuzz

test: test-deps vet
	mkdir -p $(ARTIFACTS)
	$(GO) test -count=1 -timeout 30m -artifacts -outputdir $(ARTIFACTS) ./...
	$(MAKE) fuzz

# Short fuzz runs of what strangers' input reaches first: the comment
# sanitiser, the anti-bot verifier, the search box, redirect targets, the
# key an old address is looked up under, and the WordPress export reader
# and the content of imported posts.
#
# Each run is a count of executions, sized to a few seconds here, not a
# duration: a duration is a deadline that Go's fuzzing coordinator races
# against its own workers, and on a busy machine it reports "context
# deadline exceeded" having found nothing. A count only takes longer.
# Shrinking a new input is cut short the same way. For a longer search,
# give a duration or a larger count: make fuzz FUZZTIME=5m
FUZZTIME ?=
fuzz1 = $(GO) test -run '^$$' -fuzz '^$(1)$$' -fuzztime $(or $(FUZZTIME),$(3)) -fuzzminimizetime 200x $(2)
fuzz:
	$(call fuzz1,FuzzRenderComment,./internal/markup/,60000x)
	$(call fuzz1,FuzzVerify,./internal/challenge/,40000x)
	$(call fuzz1,FuzzQuery,./internal/search/,4000x)
	$(call fuzz1,FuzzLocalPath,./internal/web/,10000x)
	$(call fuzz1,FuzzKey,./internal/redirect/,60000x)
	$(call fuzz1,FuzzConvert,./internal/wordpress/,6000x)
	$(call fuzz1,FuzzReader,./internal/wordpress/,600x)

test-deps:
	@./scripts/test-deps.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed:"; gofmt -l .; exit 1)

lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# The binary to deploy: static, with Go's own DNS resolver and user
# lookup instead of the C library's, so it runs on any Linux of its
# architecture and maps no libc (2 MiB less resident; docs/performance.md).
build:
	CGO_ENABLED=0 $(GO) build -o bin/broadsheet ./cmd/broadsheet

run:
	$(GO) run ./cmd/broadsheet serve --demo

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/web/

clean:
	rm -rf bin $(ARTIFACTS)
