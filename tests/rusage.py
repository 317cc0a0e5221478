#!/usr/bin/python3
"""rusage.py FILE CMD [ARG]...: run CMD, then write its peak resident memory
(KiB) and CPU time (user + system, microseconds) to FILE as "KIB USEC"; exit
with CMD's status (128 + N if signal N ended it).  Only CMD is measured: the
wrapper waits for that one process with wait4().  SIGINT, SIGTERM and SIGHUP
sent to the wrapper are passed on to CMD."""
import os, signal, sys

if len(sys.argv) < 3:
    sys.exit("usage: rusage.py FILE CMD [ARG]...")
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(sig, lambda sig, frame: os.kill(pid, sig))
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write("%d %d\n" % (ru.ru_maxrss, round((ru.ru_utime + ru.ru_stime) * 1e6)))
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
