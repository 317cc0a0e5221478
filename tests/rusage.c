/*
 * rusage FILE CMD [ARG]...: run CMD, then write its peak resident memory
 * (KiB), CPU time (user + system, microseconds), the time it ended
 * (CLOCK_REALTIME, milliseconds, as date +%s%3N) and its status to FILE as
 * "KIB USEC MS STATUS"; exit with CMD's status (128 + N if signal N ended
 * it).  The status in FILE is for a shell that ran CMD in the background long
 * before: bash forgets a child's status once a later child gets its pid.  SIGINT, SIGTERM
 * and SIGHUP sent to the wrapper are passed on to CMD.
 *
 * In C, not Python: Linux carries a process's peak RSS across execve, so a
 * child forked from a Python interpreter reports the interpreter's peak
 * (about 6 to 13 MB) whatever it then runs.  Forked from this small program
 * the floor is about 1 MB, below any secchat.  If CMD cannot be run, FILE
 * is not written, so that a memory check of a missing binary fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t child;

static void
pass(int sig)
{
	kill(child, sig);
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	struct rusage ru;
	struct timespec end;
	int fds[2], st, err = 0;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: rusage FILE CMD [ARG]...\n");
		return 2;
	}
	if (pipe2(fds, O_CLOEXEC) < 0 || (child = fork()) < 0) {
		perror("rusage");
		return 1;
	}
	if (child == 0) {
		execvp(argv[2], argv + 2);
		err = errno;
		if (write(fds[1], &err, sizeof err) < 0)
			_exit(126);
		_exit(127);
	}
	close(fds[1]);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = pass;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (read(fds[0], &err, sizeof err) < 0 && errno == EINTR)
		;
	while (wait4(child, &st, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("rusage: wait4");
			return 1;
		}
	clock_gettime(CLOCK_REALTIME, &end);
	if (err != 0) {
		fprintf(stderr, "rusage: %s: %s\n", argv[2], strerror(err));
		return 127;
	}
	if ((f = fopen(argv[1], "w")) == NULL)
		return 1;
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fprintf(f, "%ld %lld %lld %d\n", ru.ru_maxrss, (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	    1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec,
	    (long long)end.tv_sec * 1000 + end.tv_nsec / 1000000, st);
	if (fclose(f) != 0)
		return 1;
	return st;
}
