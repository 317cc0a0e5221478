#!/usr/bin/python3
"""bench.py: secchat's figures beside the limits Mbed TLS sets on this machine.

Usage: bench.py SECCHAT LIMITS [SECCHAT2].  Runs bench/limits (what Mbed TLS
itself costs for each operation, X25519 included), then real secchat
sessions over loopback: typed lines through a pseudo-terminal, a pasted
burst, bulk pipes one way and both ways, and session setup.  With SECCHAT2,
a secchat/2 build, the typed lines, bulk one way, the handshake and a whole
short session with -i keys are timed on both in the same run: what
secchat/3's ephemeral keys cost.  Prints one table: figure, limit, ratio, goal.
"""
import fcntl
import os
import re
import select
import statistics
import subprocess
import sys
import termios
import threading
import time

SECCHAT, LIMITS = sys.argv[1], sys.argv[2]
SECCHAT2 = sys.argv[3] if len(sys.argv) > 3 else None
MSG = 262144                 # secchat's largest message
LINES = 100                  # typed lines, one at a time
PASTE = 1000                 # lines pasted at once
BULK = 100_000_000           # bytes one way; half of it each way at once
SETUPS = 7                   # sessions for the setup figures
TIMEOUT = 120
port = 14000 + os.getpid() % 200 * 10


def next_port():
    global port
    port += 1
    return str(port)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def peak_rss(pid):
    """Samples /proc/PID/status VmHWM until the process ends; result[0] is the last
    value, in KiB.  (wait4's ru_maxrss would count the forking Python's RSS.)"""
    result = [0]

    def sample():
        try:
            with open("/proc/%d/status" % pid) as f:
                while True:
                    f.seek(0)
                    m = re.search(r"VmHWM:\s+(\d+)", f.read())
                    if not m:
                        return          # a zombie: its memory is gone
                    result[0] = int(m.group(1))
                    time.sleep(0.01)
        except OSError:
            return
    threading.Thread(target=sample, daemon=True).start()
    return result


class Side:
    """One secchat process; its stderr lines are kept with their arrival times."""

    def __init__(self, args, stdin, stdout, binary=None):
        self.t0 = time.monotonic()
        self.p = subprocess.Popen([binary or SECCHAT] + args, stdin=stdin, stdout=stdout,
                                  stderr=subprocess.PIPE)
        self.lines = []
        self.cv = threading.Condition()
        self.rc = None
        self.rss = peak_rss(self.p.pid)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.p.stderr:
            with self.cv:
                self.lines.append((time.monotonic(), raw.decode(errors="replace").rstrip()))
                self.cv.notify_all()
        with self.cv:
            self.lines.append((time.monotonic(), None))
            self.cv.notify_all()

    def when(self, pattern, timeout=TIMEOUT):
        """The time the first stderr line matching pattern arrived."""
        end = time.monotonic() + timeout
        with self.cv:
            while True:
                for t, line in self.lines:
                    if line is None:
                        raise RuntimeError("secchat ended before '%s':\n  %s" % (
                            pattern, "\n  ".join(l for _, l in self.lines if l)))
                    if re.search(pattern, line):
                        return t
                if not self.cv.wait(end - time.monotonic()):
                    raise RuntimeError("timed out waiting for '%s'" % pattern)

    def cpu(self):
        """CPU seconds used so far (user + system), from /proc/PID/stat."""
        with open("/proc/%d/stat" % self.p.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait(self):
        """Exit status; self.cpu_total is the CPU seconds of the whole run."""
        _, status, ru = os.wait4(self.p.pid, 0)
        self.p.returncode = self.rc = os.waitstatus_to_exitcode(status)
        self.cpu_total = ru.ru_utime + ru.ru_stime
        self.switches = ru.ru_nvcsw, ru.ru_nivcsw     # slept, preempted
        return self.rc


def pair(sargs, cargs, sin, sout, cin, cout, binary=None):
    p = next_port()
    s = Side(["-s", "-p", p] + sargs, sin, sout, binary)
    s.when("listening on port")
    c = Side(["-c", "127.0.0.1", "-p", p] + cargs, cin, cout, binary)
    s.when("secure session established")
    c.when("secure session established")
    return s, c


def raw_pty():
    """A pty whose slave is a terminal in line mode without echo."""
    m, sl = os.openpty()
    a = termios.tcgetattr(sl)
    a[3] &= ~(termios.ECHO | termios.ECHONL)
    termios.tcsetattr(sl, termios.TCSANOW, a)
    return m, sl


class Reader:
    """Reads a pipe in a thread; notes when given byte counts or texts arrive."""

    def __init__(self, fd, keep=False):
        self.fd, self.keep, self.n, self.buf = fd, keep, 0, bytearray()
        self.cv = threading.Condition()
        self.eof = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            b = os.read(self.fd, 1 << 20)
            with self.cv:
                if not b:
                    self.eof = True
                else:
                    self.n += len(b)
                    if self.keep:
                        self.buf += b
                self.cv.notify_all()
            if not b:
                return

    def until(self, cond, timeout=TIMEOUT):
        end = time.monotonic() + timeout
        with self.cv:
            while not cond(self):
                if self.eof or not self.cv.wait(end - time.monotonic()):
                    raise RuntimeError("stdout ended or stalled after %d bytes" % self.n)
            return time.monotonic()


def interactive(binary=None):
    """Typed lines one at a time, then a pasted burst: client terminal -> server stdout."""
    ms, ss = raw_pty()
    mc, sc = raw_pty()
    r_out, w_out = os.pipe()
    s, c = pair([], [], ss, w_out, sc, subprocess.DEVNULL, binary)
    for fd in (ss, sc, w_out):
        os.close(fd)
    out = Reader(r_out, keep=True)
    lat = []
    for i in range(LINES):
        line = b"line %d" % i
        t0 = time.monotonic()
        os.write(mc, line + b"\n")
        # stdout is a pipe: the line as sent, without its newline or a label
        lat.append(out.until(lambda o: o.buf.endswith(line)) - t0)
    base = len(out.buf)
    cpu0 = (c.cpu(), s.cpu())
    paste = b"".join(b"pasted line %04d\n" % i for i in range(PASTE))
    t0 = time.monotonic()
    # The terminal's input queue is small: write from a thread, as a paste would.
    threading.Thread(target=os.write, args=(mc, paste), daemon=True).start()
    t1 = out.until(lambda o: o.buf.endswith(b"pasted line %04d" % (PASTE - 1)))
    got = out.buf[base:].count(b"pasted line ")
    cpu = (c.cpu() - cpu0[0]) / PASTE, (s.cpu() - cpu0[1]) / PASTE
    os.write(mc, b"exit\n")
    c.wait()
    s.wait()
    os.close(mc)
    os.close(ms)
    if got != PASTE:
        raise RuntimeError("pasted %d lines, %d messages arrived" % (PASTE, got))
    return statistics.median(lat) * 1e3, PASTE / (t1 - t0), cpu


def feeder(n, w):
    """head -c n /dev/zero into the pipe's write end w, started now."""
    return subprocess.Popen(["head", "-c", str(n), "/dev/zero"], stdout=w)


def bulk(both, binary=None):
    """BULK bytes one way, or BULK/2 each way at once; returns MB/s and both RSS."""
    n = BULK // 2 if both else BULK
    rs, ws = os.pipe()
    rc, wc = os.pipe()
    ros, wos = os.pipe()
    roc, woc = os.pipe()
    # A consumer with a 64 KiB pipe wakes 4 times per message; a file would
    # take each message in one write.  1 MiB keeps this Python out of the way.
    for fd in (wos, woc):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    s, c = pair([], [], rs if both else subprocess.DEVNULL, wos, rc, woc, binary)
    for fd in (rs, rc, wos, woc):
        os.close(fd)
    outs, outc = Reader(ros), Reader(roc)
    cpu0 = (c.cpu(), s.cpu())
    t0 = time.monotonic()
    feeds = [feeder(n, wc)] + ([feeder(n, ws)] if both else [])
    os.close(wc)
    os.close(ws)
    try:
        t1 = max(outs.until(lambda o: o.n >= n),
                 outc.until(lambda o: o.n >= n) if both else t0)
    except RuntimeError:
        for side in (s, c):
            sys.stderr.write("\n".join(l for _, l in side.lines if l) + "\n")
        raise
    for f in feeds:
        f.wait()
    if c.wait() != 0 or s.wait() != 0:
        raise RuntimeError("bulk session ended with status %d/%d" % (s.rc, c.rc))
    outs.until(lambda o: o.eof)
    outc.until(lambda o: o.eof)
    if outs.n != n or outc.n != (n if both else 0):
        raise RuntimeError("bulk: sent %d, received %d/%d" % (n, outs.n, outc.n))
    msgs = n / MSG
    cpu = ((c.cpu_total - cpu0[0]) / msgs, c.switches), ((s.cpu_total - cpu0[1]) / msgs, s.switches)
    return (2 * n if both else n) / (t1 - t0) / 1e6, s.rss[0], c.rss[0], cpu


def setup(extra=None, binary=None):
    """Over SETUPS sessions (stdin empty on both sides: END, then the end of the
    session), medians in ms: (client start to key, handshake from connected to
    established, client start to established, client start to its exit)."""
    kg, hs, tot, whole = [], [], [], []
    for _ in range(SETUPS):
        s = Side(["-s", "-p", next_port()] + (extra[0] if extra else []),
                 subprocess.DEVNULL, subprocess.DEVNULL, binary)
        s.when("listening on port")
        c = Side(["-c", "127.0.0.1", "-p", str(port)] + (extra[1] if extra else []),
                 subprocess.DEVNULL, subprocess.DEVNULL, binary)
        t_est = c.when("secure session established")
        t_con = c.when("^secchat: connected to")
        if not extra:
            kg.append((c.when("key generated") - c.t0) * 1e3)
        hs.append((t_est - t_con) * 1e3)
        tot.append((t_est - c.t0) * 1e3)
        if c.wait() != 0 or s.wait() != 0:
            raise RuntimeError("setup session ended with status %d/%d" % (s.rc, c.rc))
        whole.append((time.monotonic() - c.t0) * 1e3)
    med = statistics.median
    return (med(kg) if kg else None), med(hs), med(tot), med(whole)


def identity_setup(tmp, binary=None):
    """Setup with -i keys made by this secchat's -g, run by binary (default SECCHAT)."""
    keys = []
    for name in ("s.key", "c.key"):
        path = os.path.join(tmp, name)
        if not os.path.exists(path):
            subprocess.run([SECCHAT, "-g", path], check=True, capture_output=True)
        keys.append(path)
    return setup((["-i", keys[0]], ["-i", keys[1]]), binary)


def limits():
    """bench/limits' figures: {operation: CPU milliseconds}."""
    lim = {}
    for line in subprocess.run([LIMITS], check=True, capture_output=True, text=True).stdout.split("\n"):
        if line:
            k, v = line.split(" ", 1)
            lim[k] = v if k == "mbedtls" else float(v)
    return lim


def rss_floor():
    """Peak RSS of limits idle, which waits for its stdin to end."""
    p = subprocess.Popen([LIMITS, "idle"], stdin=subprocess.PIPE)
    rss = peak_rss(p.pid)
    time.sleep(0.2)
    p.stdin.close()
    p.wait()
    return rss[0]


def stripped_size(tmp):
    out = os.path.join(tmp, "secchat.stripped")
    subprocess.run(["strip", "-o", out, SECCHAT], check=True)
    return os.path.getsize(out)


def main():
    import tempfile
    tmp = tempfile.mkdtemp(prefix="secchat-bench.")
    load0 = loadavg()
    lim_before = limits()
    lat, rate, cpu_paste = interactive()
    one, rss_s, rss_c, cpu_one = bulk(False)
    both, rss_s2, rss_c2, cpu_both = bulk(True)
    kg, hs, tot, _ = setup()
    ident = identity_setup(tmp)
    ident2 = identity_setup(tmp, SECCHAT2) if SECCHAT2 else None
    lat2 = bulk2 = None
    if SECCHAT2:
        lat2 = interactive(SECCHAT2)[0]
        bulk2 = bulk(False, SECCHAT2)
    lim_after = limits()
    # The limits are taken before and after the sessions, and averaged: on
    # a shared machine the same operation can cost 50 % more a minute later.
    lim = {k: (v + lim_after[k]) / 2 if k != "mbedtls" else v for k, v in lim_before.items()}
    sender = lim["sha256_256k"] + lim["pss_sign"] + lim["gcm_enc_256k"] + lim["oaep_encrypt"]
    receiver = lim["sha256_256k"] + lim["pss_verify"] + lim["oaep_decrypt"] + lim["gcm_dec_256k"]
    lim_lat = lim["oaep_encrypt"] + lim["pss_sign"] + lim["pss_verify"] + lim["oaep_decrypt"] + lim["small_sym"]
    lim_rate = 1e3 / max(lim["pss_sign"], lim["oaep_decrypt"])
    lim_one = MSG / max(sender, receiver) / 1e3
    lim_both = 2 * MSG / (sender + receiver) / 1e3
    lim_x = lim["x25519_keygen"] + lim["x25519_shared"]
    lim_hs = 2 * lim["pss_sign"] + 2 * lim["pss_verify"] + 2 * lim_x

    floor = rss_floor()
    size = stripped_size(tmp)
    load1 = loadavg()
    subprocess.run(["rm", "-rf", tmp])

    rows = []

    def row(name, fig, unit, limit, goal="", ok=None):
        """One line: the figure, its limit, the ratio, the goal and whether it is met."""
        fmt = lambda v: "%.3g %s" % (v, unit) if v is not None else ""
        ratio = "%.2fx" % (fig / limit) if fig is not None and limit else ""
        met = "" if ok is None or fig is None else "met" if ok(fig) else "MISSED"
        rows.append((name, fmt(fig) or "n/a", fmt(limit), ratio, goal, met))

    row("typed line, latency (median of %d)" % LINES, lat, "ms", lim_lat,
        "<= 1.2x", lambda v: v <= 1.2 * lim_lat)
    row("  the same, secchat/2 (same run)", lat2, "ms", lim_lat)
    row("  secchat/3 / secchat/2", lat2 and lat / lat2, "x", None, "<= 1.10", lambda v: v <= 1.10)
    row("pasted %d lines, rate" % PASTE, rate, "msg/s", lim_rate,
        ">= 0.8x", lambda v: v >= 0.8 * lim_rate)
    row("  CPU per message, sender", cpu_paste[0] * 1e3, "ms", lim["pss_sign"] + lim["oaep_encrypt"])
    row("  CPU per message, receiver", cpu_paste[1] * 1e3, "ms", lim["pss_verify"] + lim["oaep_decrypt"])
    row("bulk one way, %d MB" % (BULK // 10**6), one, "MB/s", lim_one,
        ">= 0.8x", lambda v: v >= 0.8 * lim_one)
    row("  CPU per 256 KiB, sender (%d/%d)" % cpu_one[0][1], cpu_one[0][0] * 1e3, "ms", sender)
    row("  CPU per 256 KiB, receiver (%d/%d)" % cpu_one[1][1], cpu_one[1][0] * 1e3, "ms", receiver)
    row("  the same bulk, secchat/2 (same run)", bulk2 and bulk2[0], "MB/s", lim_one)
    row("  secchat/3 / secchat/2", bulk2 and one / bulk2[0], "x", None, ">= 0.90", lambda v: v >= 0.9)
    row("  CPU per 256 KiB, receiver, secchat/3 / secchat/2", bulk2 and cpu_one[1][0] / bulk2[3][1][0],
        "x", None, "<= 1.10", lambda v: v <= 1.1)
    row("bulk both ways, %d MB each, total" % (BULK // 2 // 10**6), both, "MB/s", lim_both,
        ">= 0.8x", lambda v: v >= 0.8 * lim_both)
    row("  CPU per 256 KiB each way, client (%d/%d)" % cpu_both[0][1], cpu_both[0][0] * 1e3, "ms",
        sender + receiver)
    row("  CPU per 256 KiB each way, server (%d/%d)" % cpu_both[1][1], cpu_both[1][0] * 1e3, "ms",
        sender + receiver)
    row("key generation, client start to key (median of %d)" % SETUPS, kg, "ms", lim["keygen"])
    row("handshake, fresh keys (median of %d)" % SETUPS, hs, "ms", lim_hs)
    row("handshake, -i keys (median of %d)" % SETUPS, ident and ident[1], "ms", lim_hs,
        "<= 1.5x + 5 ms", lambda v: v <= 1.5 * lim_hs + 5)
    row("setup with -i keys, start to established", ident and ident[2], "ms", lim_hs,
        "<= 1.5x + 5 ms", lambda v: v <= 1.5 * lim_hs + 5)
    row("  the same, secchat/2 (same run)", ident2 and ident2[2], "ms", lim_hs)
    row("  handshake, -i keys, secchat/2 (same run)", ident2 and ident2[1], "ms", lim_hs)
    row("whole session, -i keys, start to exit", ident[3], "ms", lim_hs)
    row("  the same, secchat/2 (same run)", ident2 and ident2[3], "ms", lim_hs)
    row("X25519 alone: a key pair (CPU)", lim["x25519_keygen"], "ms", None)
    row("X25519 alone: Z (CPU)", lim["x25519_shared"], "ms", None)
    for what, (rs, rc) in (("one way", (rss_s, rss_c)), ("both ways", (rss_s2, rss_c2))):
        for name, v in (("server", rs), ("client", rc)):
            row("peak RSS %s, bulk %s" % (name, what), v / 1024, "MiB", floor / 1024,
                "<= 3 MiB", lambda v: v <= 3)
    row("stripped binary", size / 1024, "KiB", None)

    head = ("measure", "secchat", "limit", "ratio", "goal", "")
    w = [max(len(r[i]) for r in rows + [head]) for i in range(6)]
    fmt = "| " + " | ".join("%%-%ds" % x for x in w) + " |"
    print("Mbed TLS %s; load average %s at start, %s at end" % (lim["mbedtls"], load0, load1))
    print(fmt % head)
    print("|" + "|".join("-" * (x + 2) for x in w) + "|")
    for r in rows:
        print(fmt % r)
    print()
    print("Limits (Mbed TLS alone, medians in CPU ms, before / after the sessions): " + ", ".join(
        "%s %.3g / %.3g" % (k, v, lim_after[k]) for k, v in lim_before.items() if k != "mbedtls"))
    print("Limit formulas: latency = OAEP enc + PSS sign + PSS verify + OAEP dec + small SHA/GCM;"
          " rate = 1/max(sign, OAEP dec);")
    print("  bulk one way = 256 KiB / max(sender %.2f ms, receiver %.2f ms);"
          " both ways = 2 x 256 KiB / (sender + receiver);" % (sender, receiver))
    print("  handshake = 2 x sign + 2 x verify + 2 x (X25519 key pair + Z); RSS limit = a do-nothing program linked to"
          " libmbedcrypto, goal 3 MiB.")
    print("secchat/2 rows: the last secchat/2 build (bench/secchat2, from git), same keys, same"
          " run; secchat/3 adds\n  an X25519 key pair and Z on each side to the handshake, and"
          " a SHA-256 of 64 bytes to each message.")
    print("CPU rows: each process's user + system time over the phase, per message; near 1.00x"
          " means secchat adds nothing\n  to Mbed TLS's work, and a wall-clock ratio far below it"
          " means the two sides did not get a core each.\n  (a/b): how often that process slept"
          " (waited for input, the peer or the socket) / was preempted, over its whole run.")


if __name__ == "__main__":
    main()
