#!/usr/bin/python3
"""fuzz-corpus.py - write the seed corpus of tests/fuzz.c into tests/corpus/.

  fuzz-corpus.py SECCHAT PORT

Two kinds of seeds, in the input format described at the top of tests/fuzz.c:
- real-*: the bytes of a real session, secchat -s talking to tests/peer.py -c
  (a 4096-bit key) through a recording relay, each direction replayed as RAW
  operations to a secchat in the other role.  Their signatures are bound to
  that session's transcript, so they exercise framing and HELLO parsing.
- hello-*: HELLOs whose keys must be refused (1024 bits, e = 3, EC), made
  with python3-cryptography.
- peer-*: the harness plays the peer (COMMIT, HELLO, AUTH, MSG, END, BYE it
  signs itself), so that the fuzzer starts from sessions that get past the
  signatures: each state (handshake, open, after END, after BYE, terminal,
  one-byte pieces, pinned keys) and each ending (BYE 0 both ways, an ACK
  short of what secchat sent, the peer's BYE crossing ours) has a seed.
"""
import os, socket, struct, subprocess, sys, threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
RAW, HELLO, AUTH, SIGNED, MSG, CLOSE, LOCAL, SPLIT = range(8)
COMMIT = HELLO | 8
CLIENT, TTY, VERBOSE, PEER_CLOSES, BIG, PIN_OK, PIN_OTHER = 1, 2, 4, 8, 16, 32, 64


def raw(data):
    out = b""
    for i in range(0, len(data), 65535):
        piece = data[i:i + 65535]
        out += bytes([RAW]) + struct.pack(">H", len(piece)) + piece
    return out


def msg(text, seq=0, klen=0, flip=0):
    return bytes([MSG, seq & 0xff, klen, flip >> 8, flip & 0xff]) + len(text).to_bytes(3, "big") + text


def close(bye, seq=0, last=0, ack=0):
    return bytes([CLOSE, 1 if bye else 0, seq, last, ack & 0xff])


def frame(body):
    return struct.pack(">I", len(body)) + body


def hello(key):
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return frame(bytes([1, 3]) + os.urandom(32) + os.urandom(32) + spki)   # NONCE, EPH


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def relay(src, dst, log):
    while True:
        data = src.recv(65536)
        if not data:
            break
        log.append(data)
        dst.sendall(data)
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def capture(secchat, port):
    """Run secchat -s and peer.py -c through a relay; return both byte streams."""
    server = subprocess.Popen([secchat, "-s", "-p", str(port)], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server.stdin.write(b"hello from secchat\n")
    server.stdin.close()
    while b"listening" not in server.stderr.readline():
        pass                            # "listening on port" comes after the key
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port + 1))
    lsock.listen(1)
    peer = subprocess.Popen([sys.executable, os.path.join(HERE, "peer.py"), "-c", str(port + 1),
                             "-b", "4096", "--send", "hello from peer.py"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    c, _ = lsock.accept()
    s = socket.create_connection(("127.0.0.1", port))
    to_server, to_client = [], []
    threads = [threading.Thread(target=relay, args=(c, s, to_server)),
               threading.Thread(target=relay, args=(s, c, to_client))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if peer.wait(60) != 0 or server.wait(60) != 0:
        sys.exit("fuzz-corpus.py: the recorded session failed")
    return b"".join(to_server), b"".join(to_client)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: fuzz-corpus.py SECCHAT PORT")
    os.makedirs(OUT, exist_ok=True)
    to_server, to_client = capture(sys.argv[1], int(sys.argv[2]))
    write("real-client-to-server", bytes([0]) + raw(to_server))
    write("real-server-to-client", bytes([CLIENT]) + raw(to_client))
    write("hello-rsa1024", bytes([CLIENT]) + raw(hello(rsa.generate_private_key(65537, 1024))))
    write("hello-e3", bytes([CLIENT]) + raw(hello(rsa.generate_private_key(3, 2048))))
    write("hello-ec", bytes([CLIENT]) + raw(hello(ec.generate_private_key(ec.SECP256R1()))))
    write("hello-first", bytes([0]) + raw(hello(rsa.generate_private_key(65537, 2048))))
    write("commit-short", bytes([0]) + raw(frame(bytes([6, 3]) + bytes(31))))
    write("commit-twice", bytes([0]) + bytes([COMMIT, COMMIT]))
    write("commit-then-other-hello", bytes([0, COMMIT]) +
          raw(hello(rsa.generate_private_key(65537, 2048))))
    hs = bytes([COMMIT, HELLO, AUTH])      # secchat the server; as client: no COMMIT
    chs = bytes([HELLO, AUTH])
    # secchat's key 2048 bits, the harness's 2048: a MSG of the right length, signature zeros
    write("peer-bad-sig", bytes([0]) + hs + raw(frame(bytes([3]) + bytes(8 + 256 + 16 + 256))))
    write("peer-auth-short", bytes([CLIENT]) + bytes([HELLO]) + raw(frame(bytes([2, 0]))))
    write("peer-eof-after-bye", bytes([PEER_CLOSES]) + hs + bytes([LOCAL, 1]))
    write("peer-handshake", bytes([0]) + bytes([COMMIT, HELLO]))
    write("peer-pinned", bytes([PIN_OK | PIN_OTHER]) + hs + msg(b"pinned"))
    write("peer-pin-refused", bytes([CLIENT | PIN_OTHER]) + chs)
    write("peer-end-both", bytes([CLIENT]) + chs + msg(b"hello\n") + msg(b"again") +
          close(False) + bytes([LOCAL, 0]) + close(True, 1))
    write("peer-bye", bytes([BIG]) + hs + msg(b"x" * 300) + close(True))
    write("peer-ack-short", bytes([0]) + hs + bytes([LOCAL, 0]) + close(False) + close(True, 1, 0, -1))
    write("peer-after-our-end", bytes([CLIENT]) + chs + bytes([LOCAL, 0]) + msg(b"late") +
          close(True))
    write("peer-after-our-bye", bytes([BIG]) + hs + bytes([LOCAL, 1]) + msg(b"in flight") +
          close(True))
    write("peer-signal", bytes([CLIENT]) + chs + bytes([LOCAL, 2]) + close(True, 0))
    write("peer-terminal", bytes([TTY | VERBOSE]) + hs +
          msg(b"A\x1b]0;owned\x07B\x1b[2J\r\x00\xff caf\xc3\xa9 \xf0\x9f\x99\x82\nline 2\n") +
          close(False) + bytes([LOCAL, 3]) + msg(b"after END") + close(True, 0, 1))
    write("peer-split1", bytes([PEER_CLOSES]) + bytes([SPLIT, 1, 0]) + hs + msg(b"one byte at a time") +
          close(False))
    write("peer-signed-content", bytes([0]) + hs + bytes([SIGNED, 0, 10]) +
          bytes([4]) + bytes(8) + b"\x00")


if __name__ == "__main__":
    main()
