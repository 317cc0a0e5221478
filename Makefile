# secchat: one C file on Mbed TLS's crypto library.
CC ?= cc
CFLAGS ?= -O2
WARN = -Wall -Wextra
LDLIBS = -lmbedcrypto
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin

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

install: secchat
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 secchat $(DESTDIR)$(BINDIR)/secchat

clean:
	rm -f secchat bench/limits

.PHONY: all check bench install clean
