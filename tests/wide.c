/*
 * tests/wide.c: preloaded into tmux (tests/tty.sh, tty-wrap), it makes tmux
 * draw the degree sign U+00B0 two columns wide, as a terminal set for CJK
 * draws the ambiguous-width characters, while glibc's wcwidth(), and so
 * secchat, counts one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <wchar.h>

int
wcwidth(wchar_t c)
{
	static int (*real)(wchar_t);

	if (c == 0xb0)
		return 2;
	if (real == NULL)
		real = (int (*)(wchar_t))dlsym(RTLD_NEXT, "wcwidth");
	return real(c);
}
