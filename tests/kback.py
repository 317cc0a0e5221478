#!/usr/bin/python3
"""kback.py - a -k server with fresh keys, two clients back to back.

  kback.py SERVER CLIENT BITS PORT FRACTION FLOOR

SERVER and CLIENT are commands (a build, or a build under qemu-user: a
command may have words).  The server runs `-s -k -b BITS`; the first client
keeps its session open until the server says `next key ready (N.N s)` (the
key made on the second thread during the session), then ends it; the second
client, with a key from -g so that it makes none itself, connects at once.
Passes when the server did not wait for a key between the two sessions (no
`waiting for the next key`), the second client sees another server key than
the first, and it was established within FRACTION of the time the next key
took to make, or within FLOOR seconds when that key happened to come so fast
that the fraction is below what a handshake takes.  Prints both times.
"""
import os, re, subprocess, sys, tempfile, threading, time

server, client, bits, port = sys.argv[1].split(), sys.argv[2].split(), sys.argv[3], sys.argv[4]
fraction, floor = float(sys.argv[5]), float(sys.argv[6])
LIMIT = 300     # seconds for anything: key generation under emulation is slow


class Proc:
    """A process whose stderr lines are kept with the time each arrived."""

    def __init__(self, argv, stdin):
        self.p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        self.t0, self.lines, self.cv = time.monotonic(), [], threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.p.stderr:
            with self.cv:
                self.lines.append((time.monotonic(), raw.decode(errors="replace").rstrip()))
                self.cv.notify_all()

    def when(self, pattern):
        """(time, match) of the first stderr line that matches."""
        end = time.monotonic() + LIMIT
        with self.cv:
            while True:
                for t, line in self.lines:
                    m = re.search(pattern, line)
                    if m:
                        return t, m
                if self.p.poll() is not None or not self.cv.wait(max(0, end - time.monotonic())):
                    sys.exit("kback: no '%s' from %s:\n  %s" % (
                        pattern, " ".join(self.p.args), "\n  ".join(l for _, l in self.lines)))


tmp = tempfile.mkdtemp(prefix="secchat-kback.")
key = os.path.join(tmp, "c.key")
subprocess.run(client + ["-g", key], check=True, capture_output=True)
srv = Proc(server + ["-s", "-k", "-b", bits, "-p", port], subprocess.DEVNULL)
try:
    srv.when("listening on port")
    r, w = os.pipe()
    c1 = Proc(client + ["-c", "127.0.0.1", "-p", port, "-i", key], r)
    os.close(r)
    fp1 = c1.when(r"peer key: (\S+)")[1].group(1)
    made = float(srv.when(r"next key ready \(([0-9.]+) s\)")[1].group(1))
    os.close(w)                             # the first session ends
    if c1.p.wait(LIMIT) != 0:
        sys.exit("kback: the first client ended with status %d" % c1.p.returncode)
    c2 = Proc(client + ["-c", "127.0.0.1", "-p", port, "-i", key], subprocess.DEVNULL)
    t_est, _ = c2.when("secure session established")
    took = t_est - c2.t0
    fp2 = c2.when(r"peer key: (\S+)")[1].group(1)
    c2.p.wait(LIMIT)
    limit = max(fraction * made, floor)
    waited = any("waiting for the next key" in l for t, l in srv.lines if t <= t_est)
    print("# next key made during the first session in %.1f s; the second client "
          "established %.3f s after its start (limit %.3f s)%s" % (
              made, took, limit, "; the server WAITED for the key" if waited else ""))
    ok = took < limit and not waited and fp1 != fp2 and c2.p.returncode == 0
    if fp1 == fp2:
        print("# the second client saw the same server key as the first")
    sys.exit(0 if ok else 1)
finally:
    srv.p.terminate()
    srv.p.wait(LIMIT)
    subprocess.run(["rm", "-rf", tmp])
