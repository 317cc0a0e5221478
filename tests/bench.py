#!/usr/bin/python3
"""tests/bench.py [-n SESSIONS] CMD...: time a secchat build talking to itself.

CMD runs secchat (for example `qemu-arm -L /usr/arm-linux-gnueabihf
./secchat-armhf`).  Each session: both sides make their keys; 50 round trips
of a 100-byte message (this script echoes the server's output back into its
input), so a message's cost is the sender's signature and encryption plus the
receiver's verification and decryption; then 4 MiB from client to server.
Prints the median key-generation time, per-message time and throughput."""
import fcntl, os, re, statistics, subprocess, sys, tempfile, threading, time

ROUNDS, MSG, BULK = 50, 100, 4 << 20
F_SETPIPE_SZ = 1031


def read_exactly(f, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(f.fileno(), min(n - len(buf), 1 << 20))
        if not chunk:
            sys.exit("bench: secchat closed its output early")
        buf += chunk
    return bytes(buf)


def wait_for(path, pattern, limit=300):
    end = time.time() + limit
    while time.time() < end:
        with open(path) as f:
            m = re.search(pattern, f.read())
        if m:
            return m
        time.sleep(0.05)
    sys.exit(f"bench: no '{pattern}' in {path}")


def session(cmd, port, tmp):
    serr, cerr = os.path.join(tmp, "s.err"), os.path.join(tmp, "c.err")
    s = subprocess.Popen(cmd + ["-s", "-p", str(port)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=open(serr, "w"))
    wait_for(serr, "listening on port")
    c = subprocess.Popen(cmd + ["-c", "127.0.0.1", "-p", str(port)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=open(cerr, "w"))
    wait_for(cerr, "secure session established")
    msg = os.urandom(MSG)
    t0 = time.monotonic()
    for _ in range(ROUNDS):
        c.stdin.write(msg); c.stdin.flush()
        assert read_exactly(s.stdout, MSG) == msg
        s.stdin.write(msg); s.stdin.flush()
        assert read_exactly(c.stdout, MSG) == msg
    per_msg = (time.monotonic() - t0) / (2 * ROUNDS)
    data = os.urandom(BULK)
    # A 1 MiB pipe lets secchat read full 262144-byte messages, as from a file.
    fcntl.fcntl(c.stdin.fileno(), F_SETPIPE_SZ, 1 << 20)
    t0 = time.monotonic()
    writer = threading.Thread(target=lambda: (c.stdin.write(data), c.stdin.close()))
    writer.start()
    assert read_exactly(s.stdout, BULK) == data
    writer.join()
    rate = BULK / (time.monotonic() - t0) / 1e6
    s.stdin.close()
    if s.wait(60) != 0 or c.wait(60) != 0:
        sys.exit("bench: a side did not exit 0")
    keys = [float(wait_for(p, r"key generated in ([0-9.]+) s").group(1))
            for p in (serr, cerr)]
    return keys, per_msg, rate


def main():
    args = sys.argv[1:]
    n = 3
    if args[:1] == ["-n"]:
        n, args = int(args[1]), args[2:]
    cmd = " ".join(args).split()
    port = 9000 + os.getpid() % 900
    keys, msgs, rates = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            k, m, r = session(cmd, port + i, tmp)
            keys += k; msgs.append(m); rates.append(r)
    print(f"{cmd[-1]}: key generation median {statistics.median(keys):.1f} s "
          f"(of {len(keys)}: {', '.join(f'{k:.1f}' for k in sorted(keys))}); "
          f"per message {statistics.median(msgs) * 1000:.0f} ms; "
          f"bulk {statistics.median(rates):.1f} MB/s")


main()
