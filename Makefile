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

install: secchat
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 secchat $(DESTDIR)$(BINDIR)/secchat

clean:
	rm -f secchat

.PHONY: all check install clean
