# test: core
# Core dumps left on: no RLIMIT_CORE of 0, no PR_SET_DUMPABLE 0.
s/if (setrlimit(RLIMIT_CORE, &nocore) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0 ||/if ((void)nocore, 0 ||/
