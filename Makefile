# secchat: one C file on Mbed TLS's crypto library.
CC ?= cc
CFLAGS ?= -O2
WARN = -Wall -Wextra
LDLIBS = -lmbedcrypto
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man

all: secchat

secchat: secchat.c
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ secchat.c $(LDLIBS)

check: secchat
	./test.sh

# Figures beside the limits Mbed TLS sets on this machine (takes about a minute).
bench: secchat bench/limits
	/usr/bin/python3 bench/bench.py ./secchat bench/limits

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

install: secchat
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 secchat $(DESTDIR)$(BINDIR)/secchat
	install -m 0644 secchat.1 $(DESTDIR)$(MANDIR)/man1/secchat.1

clean:
	rm -f secchat bench/limits

.PHONY: all check bench lint-man install clean
