#!/usr/bin/python3
"""fs.py - forward secrecy shown on a recorded session (tests/fs.sh).

  fs.py relay LISTEN_PORT TARGET_PORT RECORD
  fs.py check RECORD KEYFILE ROLE Z

relay: accepts one connection on 127.0.0.1:LISTEN_PORT, connects to
127.0.0.1:TARGET_PORT and copies every byte both ways until both directions
have ended, recording them: RECORD.up (client to server) and RECORD.down.

check: secchat ran in ROLE (s or c) with the private key KEYFILE; Z is the
X25519 secret its peer (peer.py) reported.  Every MSG peer.py sent to
secchat is taken from the recording: its WRAP must unwrap with KEYFILE's key
to a 32-byte K, and AES-GCM under K (secchat/2's rule) must fail its tag,
so the key file and the recording are not enough; and under
SHA-256(K_DIR || K), with K_DIR from Z and T, it must decrypt (the control:
the recording is whole).  Prints each MSG's plaintext on stdout; exits 0
only if there was one at least and every one behaved so.  Written from the
protocol's description, independently of peer.py's session code.
"""
import hashlib, select, socket, struct, sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

L = b"secchat/3"
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def relay(listen_port, target_port, record):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", listen_port))
    lsock.listen(1)
    sys.stderr.write("relay: listening\n")
    sys.stderr.flush()
    client, _ = lsock.accept()
    server = socket.create_connection(("127.0.0.1", target_port))
    out = {client: (server, open(record + ".up", "wb")), server: (client, open(record + ".down", "wb"))}
    live = [client, server]
    while live:
        for src in select.select(live, [], [], 60)[0]:
            dst, f = out[src]
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if data:
                f.write(data)
                dst.sendall(data)
            else:
                live.remove(src)
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
    for f in (o[1] for o in out.values()):
        f.close()


def frames(data):
    while len(data) >= 4:
        n = struct.unpack(">I", data[:4])[0]
        yield data[:4 + n]
        data = data[4 + n:]


def check(record, keyfile, role, z):
    up, down = (list(frames(open(record + ext, "rb").read())) for ext in (".up", ".down"))
    hello = lambda fs: next(f for f in fs if f[4] == 1)
    server_hello, client_hello = hello(down), hello(up)
    t = hashlib.sha256(L + server_hello + client_hello).digest()
    peer_hello = client_hello if role == "s" else server_hello
    peer_dir = b"c" if role == "s" else b"s"
    peer_key = serialization.load_der_public_key(peer_hello[4 + 66:])
    priv = serialization.load_pem_private_key(open(keyfile, "rb").read(), password=None)
    own_k, peer_k = (priv.key_size + 7) // 8, (peer_key.key_size + 7) // 8
    k_dir = hashlib.sha256(b"secchat/3 key" + bytes.fromhex(z) + t + peer_dir).digest()
    good = 0
    msgs = [f[4:] for f in (up if role == "s" else down) if f[4] == 3]
    for body in msgs:
        content = body[:-peer_k]
        wrap, ct = content[9:9 + own_k], content[9 + own_k:]
        aad = L + t + peer_dir + content[:9]
        k = priv.decrypt(wrap, OAEP)
        try:
            AESGCM(k).decrypt(bytes(12), ct, aad)
            print("MSG %d: decrypts under K alone" % int.from_bytes(content[1:9], "big"))
            continue
        except InvalidTag:
            pass
        plain = AESGCM(hashlib.sha256(k_dir + k).digest()).decrypt(bytes(12), ct, aad)
        sys.stdout.buffer.write(plain)
        good += 1
    sys.stderr.write("check: %d MSGs to secchat in the recording, %d unwrapped with the key file, "
                     "failed under K and decrypted under SHA-256(K_DIR || K)\n" % (len(msgs), good))
    sys.exit(0 if msgs and good == len(msgs) else 1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["relay"] and len(sys.argv) == 5:
        relay(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 6:
        check(*sys.argv[2:])
    else:
        sys.exit(__doc__)
