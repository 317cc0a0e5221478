# test: bound-forks
# A process forked once listening (a helper, a daemonizing habit): it holds a copy of the seeded DRBG.
s/^\tmsg("listening on port %s", port);$/&\n\tif (fork() == 0)\n\t\t_exit(0);/
