/*
 * LD_PRELOAD shim: a kernel before 3.17, without getrandom (ENOSYS).  Each
 * poll or ppoll on /dev/random is logged to $ENOSYS_LOG, so that a test can
 * see that secchat waited for the kernel's RNG there.
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t
getrandom(void *buf, size_t len, unsigned int flags)
{
	(void)buf; (void)len; (void)flags;
	errno = ENOSYS;
	return -1;
}

static void
note(const struct pollfd *p, nfds_t n, const char *how)
{
	char link[64], path[64];
	const char *log = getenv("ENOSYS_LOG");
	ssize_t r;
	nfds_t i;
	int fd;

	for (i = 0; log != NULL && i < n; i++) {
		snprintf(link, sizeof link, "/proc/self/fd/%d", p[i].fd);
		if ((r = readlink(link, path, sizeof path - 1)) < 0)
			continue;
		path[r] = '\0';
		if (strcmp(path, "/dev/random") == 0 && p[i].events & POLLIN &&
		    (fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0600)) >= 0) {
			dprintf(fd, "%s /dev/random for reading\n", how);
			close(fd);
		}
	}
}

int
poll(struct pollfd *p, nfds_t n, int ms)
{
	static int (*real)(struct pollfd *, nfds_t, int);

	if (real == NULL)
		real = (int (*)(struct pollfd *, nfds_t, int))dlsym(RTLD_NEXT, "poll");
	note(p, n, "poll");
	return real(p, n, ms);
}

int
ppoll(struct pollfd *p, nfds_t n, const struct timespec *t, const sigset_t *m)
{
	static int (*real)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);

	if (real == NULL)
		real = (int (*)(struct pollfd *, nfds_t, const struct timespec *,
		    const sigset_t *))dlsym(RTLD_NEXT, "ppoll");
	note(p, n, "ppoll");
	return real(p, n, t, m);
}
