# Broadsheet. `make test` is the one gate: it installs what the tests need
# (Debian's Chromium and fonts) when missing, then vets and tests everything.

GO ?= go
ARTIFACTS ?= $(CURDIR)/test-output

.PHONY: test test-deps vet lint build run bench clean fuzz

test: test-deps vet
	mkdir -p $(ARTIFACTS)
	$(GO) test -count=1 -artifacts -outputdir $(ARTIFACTS) ./...
	$(MAKE) fuzz FUZZTIME=10s

# Short fuzz runs of what strangers' input reaches first: the comment
# sanitiser, the anti-bot verifier, the search box, redirect targets, the
# key an old address is looked up under, and the WordPress export reader
# and the content of imported posts. The reader's new inputs are long:
# shrinking each is cut to 5 s, or it would take the whole run.
# FUZZTIME=5m for more.
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzRenderComment -fuzztime $(FUZZTIME) ./internal/markup/
	$(GO) test -run '^$$' -fuzz FuzzVerify -fuzztime $(FUZZTIME) ./internal/challenge/
	$(GO) test -run '^$$' -fuzz FuzzQuery -fuzztime $(FUZZTIME) ./internal/search/
	$(GO) test -run '^$$' -fuzz FuzzLocalPath -fuzztime $(FUZZTIME) ./internal/web/
	$(GO) test -run '^$$' -fuzz FuzzKey -fuzztime $(FUZZTIME) ./internal/redirect/
	$(GO) test -run '^$$' -fuzz FuzzConvert -fuzztime $(FUZZTIME) ./internal/wordpress/
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./internal/wordpress/

test-deps:
	@./scripts/test-deps.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed:"; gofmt -l .; exit 1)

lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

build:
	$(GO) build -o bin/broadsheet ./cmd/broadsheet

run:
	$(GO) run ./cmd/broadsheet serve --demo

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/web/

clean:
	rm -rf bin $(ARTIFACTS)
