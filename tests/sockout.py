#!/usr/bin/python3
"""sockout.py KIND TAKE DELAY OUT CMD...: run CMD with its stdout a socket
(KIND unix: a socketpair; tcp: a loopback TCP connection) whose reader, after
DELAY seconds, reads TAKE bytes into OUT and then closes with the rest unread
(TAKE all: reads to the end).  Says on stderr when it has read them ("sockout:
read N bytes at MS", ms since the epoch) and when it closed; exits with CMD's
status."""
import socket, subprocess, sys, time

kind, take, delay, out, cmd = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5:]
if kind == "unix":
    mine, theirs = socket.socketpair()
else:
    lsock = socket.create_server(("127.0.0.1", 0))
    theirs = socket.create_connection(lsock.getsockname())
    mine, _ = lsock.accept()
    lsock.close()
child = subprocess.Popen(cmd, stdout=theirs.fileno())
theirs.close()
time.sleep(delay)
want = None if take == "all" else int(take)
got = 0
with open(out, "wb") as f:
    while want is None or got < want:
        b = mine.recv(65536 if want is None else min(65536, want - got))
        if not b:
            break
        f.write(b)
        got += len(b)
        if got == want or (want is None and got >= 50000 and got % 50000 == 0):
            sys.stderr.write("sockout: read %d bytes at %d\n" % (got, time.time() * 1000))
            sys.stderr.flush()
mine.close()
sys.stderr.write("sockout: closed after %d bytes\n" % got)
sys.stderr.flush()
sys.exit(child.wait())
