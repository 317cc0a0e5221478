#!/usr/bin/python3
"""kcost.py SERVER [SECONDS]: what making the next key costs a session on a
one-core board.  SERVER is a command (a build under qemu-user, say), pinned
to one CPU with taskset as the board has one core.  It serves (`-s -k`)
a native ./secchat client that sends zeros from /dev/zero for SECONDS (8);
the server's stdout is read here, and the bytes received in each second are
printed, once with fresh keys (the key thread runs during the first seconds
of the session) and once with -i (no key to make).  Informational: it
prints figures and asserts nothing."""
import os, subprocess, sys, tempfile, time

server, secs = sys.argv[1].split(), int(sys.argv[2]) if len(sys.argv) > 2 else 8
port = 15000 + os.getpid() % 500
tmp = tempfile.mkdtemp(prefix="secchat-kcost.")
key = os.path.join(tmp, "s.key")
subprocess.run(server + ["-g", key], check=True, capture_output=True)
for label, extra in (("fresh keys (key thread)", []), ("-i key (no thread)", ["-i", key])):
    port += 1
    err = open(os.path.join(tmp, "s.err"), "w+")
    srv = subprocess.Popen(["taskset", "-c", "0"] + server + ["-s", "-k", "-p", str(port)] + extra,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
    while "listening" not in open(err.name).read():
        time.sleep(0.05)
    cli = subprocess.Popen(["./secchat", "-c", "127.0.0.1", "-p", str(port)],
                           stdin=open("/dev/zero", "rb"), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    per, t0 = [0] * secs, None
    while True:
        b = os.read(srv.stdout.fileno(), 1 << 16)
        now = time.monotonic()
        t0 = t0 or now
        if now - t0 >= secs:
            break
        per[int(now - t0)] += len(b)
    cli.kill()
    srv.stdout.close()      # a stdout nobody reads would hold the server in write()
    srv.terminate()
    srv.wait()
    ready = [l for l in open(err.name).read().split("\n") if "next key ready" in l]
    print("%-24s KB/s per second from the first byte: %s%s" % (
        label, " ".join("%d" % (n / 1000) for n in per), "; " + ready[0][9:] if ready else ""))
subprocess.run(["rm", "-rf", tmp])
