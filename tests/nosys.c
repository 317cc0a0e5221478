/*
 * tests/nosys.c: run a program on a kernel that lacks something, as seen by
 * the program's system calls, static binaries included (an LD_PRELOAD shim
 * cannot reach those, and Mbed TLS calls getrandom through syscall()):
 *
 *   nosys getrandom PROG ARG...   getrandom fails with ENOSYS (Linux < 3.17)
 *   nosys inet6 PROG ARG...       socket(AF_INET6, ...) fails with
 *                                 EAFNOSUPPORT (a kernel without IPv6)
 *
 * A seccomp filter, inherited across execve; no privilege needed.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "tests/nosys.c: add this architecture's AUDIT_ARCH"
#endif

#define LD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
/* if the value loaded is not k, skip the next skip instructions */
#define IF_NOT(k, skip) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), 0, (skip))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

int
main(int argc, char *argv[])
{
	/* Each filter: another architecture's calls pass; then the one call. */
	struct sock_filter getrandom[] = {
		LD(arch), IF_NOT(ARCH, 3),
		LD(nr), IF_NOT(SYS_getrandom, 1),
		RET(SECCOMP_RET_ERRNO | ENOSYS),
		RET(SECCOMP_RET_ALLOW),
	}, inet6[] = {
		LD(arch), IF_NOT(ARCH, 5),
		LD(nr), IF_NOT(SYS_socket, 3),
		LD(args[0]), IF_NOT(AF_INET6, 1),	/* the low half, little-endian */
		RET(SECCOMP_RET_ERRNO | EAFNOSUPPORT),
		RET(SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog;

	if (argc < 3)
		goto usage;
	if (strcmp(argv[1], "getrandom") == 0)
		prog = (struct sock_fprog){ sizeof getrandom / sizeof *getrandom, getrandom };
	else if (strcmp(argv[1], "inet6") == 0)
		prog = (struct sock_fprog){ sizeof inet6 / sizeof *inet6, inet6 };
	else
		goto usage;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		perror("nosys: seccomp");
		return 126;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
usage:
	fprintf(stderr, "usage: nosys getrandom|inet6 prog [arg ...]\n");
	return 2;
}
