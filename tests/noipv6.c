/*
 * tests/noipv6.c: preloaded into secchat (tests/bounds.sh, bound-ipv4), it
 * makes socket(AF_INET6, ...) fail with EAFNOSUPPORT, as on a kernel built
 * without IPv6, and writes "noipv6: refused" to stderr each time (the
 * control: the shim was there and secchat asked).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

int
socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);
	static const char note[] = "noipv6: refused an AF_INET6 socket\n";

	if (domain == AF_INET6) {
		(void)!write(2, note, sizeof note - 1);
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (real == NULL)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	return real(domain, type, protocol);
}
