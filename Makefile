# secchat: one C file on Mbed TLS's crypto library.
# Cross builds: make CROSS=arm-linux-gnueabihf- (or CC=...), CFLAGS, LDFLAGS.
CFLAGS ?= -O2
WARN = -Wall -Wextra
LDLIBS = -lmbedcrypto -pthread
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
ARCHS = armhf arm64 mipsel mips
ifneq ($(CROSS),)
CC = $(CROSS)gcc
endif

all: secchat

secchat: secchat.c
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ secchat.c $(LDLIBS)

check: secchat
	./test.sh

# Figures beside the limits Mbed TLS sets on this machine (about a minute),
# and beside secchat/2's, built from the last commit that had it.
SECCHAT2_COMMIT = ac6c68a
bench: secchat bench/limits bench/secchat2
	/usr/bin/python3 bench/bench.py ./secchat bench/limits bench/secchat2

bench/secchat2:
	git show $(SECCHAT2_COMMIT):secchat.c > bench/secchat2.c && \
	    $(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ bench/secchat2.c $(LDLIBS); \
	    ret=$$?; rm -f bench/secchat2.c; exit $$ret

bench/limits: bench/limits.c
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ bench/limits.c $(LDLIBS)

# Any message fails. mandoc's notes on cross-references (Xr) and its
# database only say which manuals this machine has installed, so they
# are dropped; groff -ww reports warnings on stderr but exits 0.
lint-man:
	@if command -v mandoc >/dev/null; then \
		out=$$(mandoc -Tlint -Wall secchat.1 2>&1 | \
		    grep -v -e 'referenced manual not found' -e 'outdated mandoc.db'); \
	else \
		out=$$(groff -ww -mdoc -Tutf8 secchat.1 2>&1 >/dev/null); \
	fi; \
	if [ -n "$$out" ]; then echo "$$out"; exit 1; fi

# Each ARCH built with Debian's cross gcc, run under qemu-user against ./secchat.
cross-check: secchat
	tests/cross.sh $(ARCHS)

# Against Mbed TLS 3.6 LTS, built once from Debian 13's source package.
secchat36: secchat.c
	d=$$(tests/mbedtls.sh 3.6) && $(CC) $(CPPFLAGS) -I$$d/include $(WARN) -Werror \
	    $(CFLAGS) $(LDFLAGS) -o $@ secchat.c $$d/lib/libmbedcrypto.a -pthread

check36: secchat secchat36
	SECCHAT=$(CURDIR)/secchat36 ./test.sh
	tests/interop.sh ./secchat ./secchat36
	MBEDTLS=$$(tests/mbedtls.sh 3.6) tests/mutants/run.sh wipe-free

# Static and stripped: musl, and Mbed TLS 3.6 (it has the fix for
# CVE-2024-23170 that Debian 12's 2.28.3 lacks) with only what secchat uses.
static: secchat.c tests/mbedtls-small.h
	d=$$(tests/mbedtls.sh 3.6 musl-gcc tests/mbedtls-small.h) && musl-gcc -static -s \
	    $(WARN) $(CFLAGS) -I$$d/include -o secchat-static secchat.c $$d/lib/libmbedcrypto.a -pthread

# secchat/3's session rules, model-checked with SPIN (tests/model): the real
# rules must pass every property exhaustively, and each deliberately broken
# variant must fail (about a minute, one core, under 700 MB).  Needs spin.
model:
	tests/model/run.sh

# Mutation testing of test.sh (tests/mutants/run.sh): one bug per
# tests/mutants/*.sed planted in a copy of secchat.c, built, and checked by
# the test groups that must catch it, two at a time (JOBS=).  Fails if one
# survives or no longer applies.  About 3 minutes.
mutants:
	tests/mutants/run.sh

install: secchat
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 secchat $(DESTDIR)$(BINDIR)/secchat
	install -m 0644 secchat.1 $(DESTDIR)$(MANDIR)/man1/secchat.1

# Fuzzing (clang, libclang-rt-14-dev): tests/fuzz.c compiles secchat.c itself.
# New inputs go to fuzz-corpus/, findings to fuzz-out/; any crash, leak,
# timeout or sanitizer report fails.  FUZZTIME in seconds.
FUZZTIME ?= 60
FUZZCC ?= clang
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

FUZZBUILD = $(FUZZCC) -g -O1 $(SANITIZE) -fsanitize=fuzzer $(WARN) -Wno-unused-function \
	    -Dmain=secchat_main
FUZZRUN = -timeout=10 -rss_limit_mb=2048 -max_len=8192 -close_fd_mask=2 -print_final_stats=1

# The switch that fakes signatures and the key unwrap (tests/fuzz.c's fast
# mode) is set by the fuzz-fast build below only; secchat.c does not compile
# with it unless the harness's own macro is set too, and here it may not
# come from CFLAGS or CPPFLAGS at all.
ifneq ($(findstring FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION,$(CFLAGS) $(CPPFLAGS)),)
$(error FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION fakes every signature: only the fuzz-fast build sets it, never CFLAGS or CPPFLAGS)
endif

# tests/fuzz: real signatures (RSA on every signed frame: about 50 inputs a
# second).  tests/fuzz-fast: the fast mode, the same harness with the
# stand-ins, for the parsing and the session's rules (thousands a second).
tests/fuzz: tests/fuzz.c secchat.c
	$(FUZZBUILD) -o $@ tests/fuzz.c $(LDLIBS)

tests/fuzz-fast: tests/fuzz.c secchat.c
	$(FUZZBUILD) -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -o $@ tests/fuzz.c $(LDLIBS)

fuzz: tests/fuzz
	mkdir -p fuzz-corpus fuzz-out
	UBSAN_OPTIONS=print_stacktrace=1 ./tests/fuzz -max_total_time=$(FUZZTIME) $(FUZZRUN) \
	    -artifact_prefix=fuzz-out/ fuzz-corpus tests/corpus

fuzz-fast: tests/fuzz-fast
	mkdir -p fuzz-corpus-fast fuzz-out
	UBSAN_OPTIONS=print_stacktrace=1 ./tests/fuzz-fast -max_total_time=$(FUZZTIME) $(FUZZRUN) \
	    -artifact_prefix=fuzz-out/ fuzz-corpus-fast tests/corpus

# The fast mode must find two bugs planted one at a time in a copy of
# secchat.c, each within 40000 inputs (tests/fuzz-selftest.sh); fails otherwise.
fuzz-selftest:
	FUZZCC="$(FUZZCC)" tests/fuzz-selftest.sh

# test.sh against a build with AddressSanitizer and UBSan (clang: gcc's UBSan
# ignores log_path).  Every report is written to sanitize-logs/, whatever the
# exit status of the process that made it, and fails the target.  The
# quarantine of freed memory is capped at 16 MB (256 by default), so that
# test.sh's memory bound still means something.
secchat-asan: secchat.c
	$(FUZZCC) -g -O1 $(SANITIZE) $(WARN) -o $@ secchat.c $(LDLIBS)

sanitize: secchat-asan
	rm -rf sanitize-logs && mkdir sanitize-logs
	ASAN_OPTIONS=log_path=$(CURDIR)/sanitize-logs/asan:detect_leaks=1:quarantine_size_mb=16 \
	    UBSAN_OPTIONS=log_path=$(CURDIR)/sanitize-logs/ubsan:print_stacktrace=1 \
	    SECCHAT=$(CURDIR)/secchat-asan ./test.sh
	@if [ -n "$$(ls sanitize-logs)" ]; then cat sanitize-logs/*; exit 1; fi

# Static analysis: cppcheck, and clang-tidy as .clang-tidy sets it (the
# exceptions are there, each with its reason).  cppcheck's variableScope is
# off: KNF declares a function's variables at its top.  Any finding fails.
analyze:
	cppcheck -q --error-exitcode=1 --enable=warning,style,performance,portability \
	    --suppress=variableScope --inline-suppr secchat.c
	clang-tidy --quiet secchat.c -- $(WARN) $(CPPFLAGS)

# Line coverage of secchat.c reached by the corpus so far (llvm): the
# parsing functions, per function.
fuzz-cov: tests/fuzz.c secchat.c
	$(FUZZCC) -g -O0 -fprofile-instr-generate -fcoverage-mapping -fsanitize=fuzzer \
	    -Wno-unused-function -Dmain=secchat_main -o tests/fuzz-cov tests/fuzz.c $(LDLIBS)
	mkdir -p fuzz-corpus
	LLVM_PROFILE_FILE=fuzz.profraw ./tests/fuzz-cov -runs=0 -close_fd_mask=2 fuzz-corpus tests/corpus
	llvm-profdata merge -o fuzz.profdata fuzz.profraw
	llvm-cov report tests/fuzz-cov -instr-profile=fuzz.profdata -show-functions secchat.c | \
	    grep -E '^Name|read_net|recv_|check_key|check_pin|verify|deliver|show_text|shown_as|utf8_ok'

clean:
	rm -rf secchat secchat36 secchat-* bench/limits bench/secchat2 tests/fuzz tests/fuzz-fast tests/fuzz-cov fuzz.profraw fuzz.profdata sanitize-logs

.PHONY: all check bench model mutants fuzz-fast fuzz-selftest lint-man cross-check check36 static install clean fuzz fuzz-cov sanitize analyze
