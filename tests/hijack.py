#!/usr/bin/python3
"""hijack.py PORT: try to take the TCP port of a -k secchat during a session:
bind with SO_REUSEADDR and listen, on IPv4 and on IPv6.  Prints what
happened; exits 0 only if every attempt failed with "Address already in use"."""
import errno, socket, sys

port, taken = int(sys.argv[1]), 0
for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::"),
                     (socket.AF_INET, "127.0.0.1")):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((addr, port))
        s.listen(1)
        taken += 1
        print("hijack: bound and listening on %s port %d" % (addr, port))
    except OSError as e:
        print("hijack: %s port %d: %s" % (addr, port, e.strerror))
        if e.errno != errno.EADDRINUSE:
            taken += 1
    s.close()
sys.exit(1 if taken else 0)
