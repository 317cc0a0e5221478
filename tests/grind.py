#!/usr/bin/python3
"""grind.py PORT SECONDS [HOST]: what a man in the middle grinding for a safety code
does to a -k server: connect, send a COMMIT, read the server's HELLO, drop the
connection, again and again.  Prints "N HELLOs in S s" (a connection the
server turned away, or that ended before a HELLO, counts for nothing)."""
import os, socket, struct, sys, time

port, secs = int(sys.argv[1]), float(sys.argv[2])
host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
commit = bytes([6, 3]) + os.urandom(32)        # COMMIT, secchat/3, a hash
hellos = tries = 0
end = time.monotonic() + secs
while time.monotonic() < end:
    tries += 1
    try:
        with socket.create_connection((host, port), timeout=max(0.1, end - time.monotonic())) as c:
            c.sendall(struct.pack(">I", len(commit)) + commit)
            with c.makefile("rb") as f:
                head = f.read(4)
                if len(head) == 4 and len(f.read(struct.unpack(">I", head)[0])) > 0:
                    hellos += 1
    except OSError:
        time.sleep(0.001)       # refused: the listener was paused (old secchat)
print("%d HELLOs in %g s (%d connections)" % (hellos, secs, tries))
