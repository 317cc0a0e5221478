#!/usr/bin/python3
"""peer.py - an independent implementation of the secchat/3 wire protocol.

Written from the protocol specification only, with Debian's python3-cryptography.
The test suite uses it to talk to secchat as a well-behaved peer (normal mode)
or as a hostile one (--attack NAME).

  peer.py (-c PORT | -s PORT) [-b BITS] [--attack NAME] [--send TEXT]...
          [--send-file FILE] [--no-end] [--bye-after N] [--bye-on-signal]
          [--timeout SEC] [--nonces FILE]
  peer.py -c PORT --flood N

--flood N opens N connections at once and speaks no protocol: it reports how
many the other side refused or reset and how long the slowest answer took, and
exits 0 only if every one was turned away within a second (a SYN that goes
unanswered is retried after one second, so a refusal within it is at once).

Every HELLO's nonce must be random: an all-zero one is refused, and with
--nonces FILE one seen before (the file keeps them, one hex line each, across
runs) too.

Status lines go to stderr ("peer: ..."), among them this side's X25519 secret
Z and the direction keys, for the tests of forward secrecy and erasure; stdout receives exactly the plaintext
of each verified MSG.  Exit status: 0 intended end (attack mode: the other side
closed the connection), 1 error / connection lost / timeout, 2 usage error,
4 the other side aborted (BYE reason 1 or 2).
"""
import argparse, base64, errno, fcntl, hashlib, os, select, signal, socket, struct, sys, termios, threading, time

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

L = b"secchat/3"
HELLO, AUTH, MSG, END, BYE, COMMIT = 1, 2, 3, 4, 5, 6
TYPE_NAMES = {HELLO: "HELLO", AUTH: "AUTH", MSG: "MSG", END: "END", BYE: "BYE", COMMIT: "COMMIT"}
VERSION = 3
SAS_LABEL = b"secchat/3 safety code"
KEY_LABEL = b"secchat/3 key"
NONCE_LEN = 32
EPH_LEN = 32
# An X25519 public key of order 8 (RFC 7748's low-order points, cr.yp.to/ecdh.html#validate).
LOW_ORDER = bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")
MAX_MSG = 262144
MAX_LEN = 1 + 8 + 512 + MAX_MSG + 16 + 512      # 263193
MAX_HS_LEN = 1024                               # bound before establishment
STALL = 30.0            # handshake deadline; max silence inside a frame
CLOSE_WAIT = 5.0        # how long to wait for the other side after our BYE
REASONS = {0: "closed by the user", 1: "interrupted", 2: "local failure"}
PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
ZERO_IV = bytes(12)
DER, SPKI = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
ATTACKS = ("tamper-ct", "tamper-wrap", "bad-sig", "replay", "skip-seq", "key1024",
           "key16384", "huge-len", "msg-before-auth", "auth-twice", "split1",
           "stall-handshake", "stall-midframe", "end-then-msg", "bye-bad-sig",
           "bad-reason", "len-mismatch", "end-long", "oversize", "hello-trailing",
           "bad-version", "key-e3", "commit-mismatch", "hello-first", "commit33",
           "commit35", "commit-twice", "server-commit", "v1", "v2", "commit-v4", "bad-auth",
           "silent", "end-bad-sig", "end-bad-seq", "bye-bad-seq", "end-twice",
           "frame-over", "no-answer", "stall-commit", "stall-hello", "msg-after-bye",
           "eph-low")
SLOW = 5.0      # stall-commit, stall-hello: the wait before the last frame sent


class ProtocolError(Exception):
    """The other side broke the protocol or a verification failed."""


class Closed(Exception):
    """The connection ended (EOF or reset)."""


def log(text):
    sys.stderr.write("peer: %s\n" % text)
    sys.stderr.flush()


def finish(status, text=None):
    """Exit at once (also from a helper thread); stdout is flushed on every write."""
    if text:
        log(text)
    os._exit(status)


def fingerprint(spki):
    return "SHA256:" + base64.b64encode(hashlib.sha256(spki).digest()).decode().rstrip("=")


def frame(body):
    return struct.pack(">I", len(body)) + body


def flip(data, index, mask=0x01):
    out = bytearray(data)
    out[index] ^= mask
    return bytes(out)


def forged(name):
    return ("FORGED-%s" % name).encode()


def check_nonce(nonce, path):
    """A HELLO's nonce: not all zero and, with --nonces FILE, not one seen before."""
    if not any(nonce):
        raise ProtocolError("HELLO: all-zero nonce")
    if path is None:
        return
    with open(path, "a+") as f:
        f.seek(0)
        if nonce.hex() in f.read().split():
            raise ProtocolError("HELLO: nonce seen before: %s" % nonce.hex())
        f.write(nonce.hex() + "\n")


def parse_spki(spki):
    """Check a HELLO's key as the spec demands; return (key, modulus length in bytes)."""
    try:
        key = serialization.load_der_public_key(spki)
    except Exception as e:  # ValueError, UnsupportedAlgorithm, ...
        raise ProtocolError("HELLO: cannot parse the public key (%s)" % e) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ProtocolError("HELLO: key is not RSA")
    nums = key.public_numbers()
    bits = nums.n.bit_length()
    if not 2048 <= bits <= 4096:
        raise ProtocolError("HELLO: RSA modulus of %d bits (allowed 2048..4096)" % bits)
    if nums.e != 65537:
        raise ProtocolError("HELLO: public exponent %d (must be 65537)" % nums.e)
    if key.public_bytes(DER, SPKI) != spki:     # the parser ignores trailing bytes
        raise ProtocolError("HELLO: trailing bytes after the key (or non-canonical DER)")
    return key, (bits + 7) // 8


def fake_spki(bits=16384):
    """SPKI of a random odd `bits`-bit modulus with e=65537 (no real key behind it)."""
    n = int.from_bytes(os.urandom(bits // 8), "big") | (1 << (bits - 1)) | 1
    return rsa.RSAPublicNumbers(65537, n).public_key().public_bytes(DER, SPKI)


class Reader:
    """Buffered frame reader on a blocking socket, driven by select()."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.last_byte = time.monotonic()

    def _fill(self, wait):
        ready, _, _ = select.select([self.sock], [], [], max(wait, 0))
        if not ready:
            return
        try:
            data = self.sock.recv(MAX_MSG)
        except OSError as e:
            raise Closed("reset" if isinstance(e, ConnectionResetError) else str(e)) from None
        if not data:
            raise Closed("EOF")
        self.buf += data
        self.last_byte = time.monotonic()

    def next_frame(self, wait, limit):
        """Return the next frame's BODY, or None if none is complete within `wait` s."""
        end = time.monotonic() + wait
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if n == 0 or n > limit:  # checked before the body is read
                    raise ProtocolError("frame length %d out of range (1..%d)" % (n, limit))
                if len(self.buf) >= 4 + n:
                    body = bytes(self.buf[4:4 + n])
                    del self.buf[:4 + n]
                    return body
            now = time.monotonic()
            if self.buf and now - self.last_byte > STALL:
                raise ProtocolError("frame stalled: %d s without a byte" % STALL)
            if now >= end:
                return None
            self._fill(min(end - now, 1.0))

    def discard_until_closed(self, wait=3600.0):
        """Throw away whatever arrives until EOF/reset (raises Closed) or `wait` s."""
        end = time.monotonic() + wait
        while time.monotonic() < end:
            self.buf.clear()
            self._fill(min(end - time.monotonic(), 1.0))


class Session:
    """One secchat/3 connection: handshake state, keys, sequence numbers."""

    def __init__(self, sock, role, priv, split=False):
        self.sock, self.priv, self.split = sock, priv, split
        self.spki = priv.public_key().public_bytes(DER, SPKI)
        self.own_k = (priv.key_size + 7) // 8
        self.mydir, self.peerdir = (b"s", b"c") if role == "s" else (b"c", b"s")
        self.reader = Reader(sock)
        self.lock = threading.Lock()        # one frame at a time on the wire
        self.conn_time = time.monotonic()
        self.my_hello = self.T = self.peer_pub = self.bye_time = None
        self.peer_k = self.send_seq = self.recv_seq = 0
        self.sent_msgs = self.delivered = 0     # MSGs sent; the other side's MSGs written
        self.commit = self.nonces = None
        self.eph = X25519PrivateKey.generate()
        self.eph_top_bit = False
        self.bye_delay = 0
        self.peer_eph = self.kdir = None   # kdir: {b"s": K_s, b"c": K_c}
        self.established = self.peer_end = self.sent_end = self.sent_bye = False
        self.stop = False                   # no more MSG/END from the sender thread

    # --- raw output ---------------------------------------------------------
    def send_raw(self, data):
        step = 1 if self.split else max(len(data), 1)   # split1: one send() per byte
        for i in range(0, len(data), step):
            self.sock.sendall(data[i:i + step])

    def shutdown_write(self):
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    # --- handshake ------------------------------------------------------------
    def make_hello(self, spki=None, version=VERSION, eph=None):
        """secchat/3's HELLO; versions 1 and 2 make one without EPH, as theirs were."""
        if eph is None:
            eph = self.eph.public_key().public_bytes(serialization.Encoding.Raw,
                                                    serialization.PublicFormat.Raw)
            if self.eph_top_bit:    # RFC 7748: the receiver must ignore it
                eph = eph[:31] + bytes([eph[31] | 0x80])
        body = bytes([HELLO, version]) + os.urandom(NONCE_LEN) + (b"" if version < 3 else eph)
        self.my_hello = frame(body + (spki or self.spki))

    def send_hello(self, spki=None, version=VERSION, eph=None):
        self.make_hello(spki, version, eph)
        self.send_raw(self.my_hello)

    def send_commit(self, version=VERSION, extra=b"", drop=0):
        """COMMIT to self.my_hello: 0x06 || VERSION || SHA-256(HELLO frame)."""
        body = bytes([COMMIT, version]) + hashlib.sha256(self.my_hello).digest() + extra
        self.send_raw(frame(body[:len(body) - drop]))

    def recv_commit(self):
        body = self.read_handshake_frame()
        if body[0] != COMMIT:
            raise ProtocolError("expected COMMIT, got frame type %d" % body[0])
        if len(body) != 2 + 32 or body[1] != VERSION:
            raise ProtocolError("COMMIT: wrong length %d or version %d" % (len(body), body[1]))
        self.commit = body[2:]

    def handshake(self, spki=None, version=VERSION, eph=None):
        """The client commits to its HELLO; the server signs last.  A side
        whose EPH is not its own (eph=) derives no keys."""
        if self.mydir == b"c":
            self.make_hello(spki, version, eph)
            self.send_commit()
            self.recv_hello()
            self.send_raw(self.my_hello)
            self.send_auth()
            self.recv_auth()
            if eph is None:
                self.session_keys()
        else:
            self.recv_commit()
            self.send_hello(spki, version, eph)
            self.recv_hello()
            self.recv_auth()
            if eph is None:
                self.session_keys()
            self.send_auth()
        log("safety code: %s" % self.safety_code())

    def safety_code(self):
        c = int.from_bytes(hashlib.sha256(SAS_LABEL + self.T).digest()[:8], "big") % 10**9
        return "%03d %03d %03d" % (c // 10**6, c // 1000 % 1000, c % 1000)

    def read_handshake_frame(self):
        body = self.reader.next_frame(self.conn_time + STALL - time.monotonic(), MAX_HS_LEN)
        if body is None:
            raise ProtocolError("handshake not completed within %d s" % STALL)
        return body

    def recv_hello(self):
        body = self.read_handshake_frame()
        if body[0] != HELLO:
            raise ProtocolError("expected HELLO, got frame type %d" % body[0])
        if self.mydir == b"s" and hashlib.sha256(frame(body)).digest() != self.commit:
            raise ProtocolError("HELLO: does not match the client's COMMIT")
        if len(body) >= 2 and body[1] != VERSION:
            raise ProtocolError("HELLO: unsupported protocol version %d" % body[1])
        if len(body) < 2 + NONCE_LEN + EPH_LEN + 2:
            raise ProtocolError("HELLO: too short (%d bytes)" % len(body))
        check_nonce(body[2:2 + NONCE_LEN], self.nonces)
        self.peer_eph = body[2 + NONCE_LEN:2 + NONCE_LEN + EPH_LEN]
        log("peer EPH " + self.peer_eph.hex())
        spki = body[2 + NONCE_LEN + EPH_LEN:]
        self.peer_pub, self.peer_k = parse_spki(spki)
        log("peer key " + fingerprint(spki))
        log("peer modulus 0x%x" % self.peer_pub.public_numbers().n)
        server, client = (self.my_hello, frame(body))
        if self.mydir == b"c":
            server, client = client, server
        self.T = hashlib.sha256(L + server + client).digest()

    def session_keys(self):
        """Z, once the peer's AUTH verified; then K_s and K_c.  Z and both
        keys are logged: the tests look for them in secchat's memory."""
        try:
            z = self.eph.exchange(X25519PublicKey.from_public_bytes(self.peer_eph))
        except ValueError:      # OpenSSL refuses a Z of zeros
            raise ProtocolError("the peer's ephemeral key is invalid") from None
        self.kdir = {d: hashlib.sha256(KEY_LABEL + z + self.T + d).digest() for d in (b"s", b"c")}
        log("Z " + z.hex())
        log("K_s %s K_c %s" % (self.kdir[b"s"].hex(), self.kdir[b"c"].hex()))

    def gcm(self, direction, key):
        """The GCM key of a MSG sent by role `direction`: SHA-256(K_DIR || K).
        Before the keys exist (msg-before-auth) any will do: such a MSG is
        refused for its type."""
        kdir = self.kdir[direction] if self.kdir else bytes(32)
        return AESGCM(hashlib.sha256(kdir + key).digest())

    def send_auth(self):
        content = bytes([AUTH])
        self.send_raw(frame(content + self.sign(content)))

    def recv_auth(self):
        body = self.read_handshake_frame()
        if body[0] != AUTH:
            raise ProtocolError("expected AUTH, got frame type %d" % body[0])
        if len(body) != 1 + self.peer_k:
            raise ProtocolError("AUTH: wrong length %d" % len(body))
        if not self.verify(body[:1], body[1:]):
            raise ProtocolError("AUTH: signature verification failed - closing (possible tampering)")
        self.established = True
        log("session established")

    # --- signatures and frame bodies --------------------------------------------
    def sign(self, content):
        return self.priv.sign(L + self.T + self.mydir + content, PSS, hashes.SHA256())

    def verify(self, content, sig):
        try:
            self.peer_pub.verify(sig, L + self.T + self.peerdir + content, PSS, hashes.SHA256())
            return True
        except InvalidSignature:
            return False

    def msg_body(self, plaintext, seq, tamper=None):
        key = os.urandom(32)
        wrap = self.peer_pub.encrypt(key, OAEP)
        head = bytes([MSG]) + seq.to_bytes(8, "big")
        ct = self.gcm(self.mydir, key).encrypt(ZERO_IV, plaintext, L + self.T + self.mydir + head)
        if tamper == "ct":
            ct = flip(ct, 0)
        elif tamper == "wrap":
            wrap = flip(wrap, len(wrap) - 1)   # low byte: stays below the modulus
        content = head + wrap + ct
        return content + self.sign(content)

    def msg_frame(self, plaintext, seq, tamper=None):
        return frame(self.msg_body(plaintext, seq, tamper))

    def ctl_body(self, ftype, seq, arg, ack=None):
        content = bytes([ftype]) + seq.to_bytes(8, "big") + bytes([arg])
        if ftype == BYE:    # ACK: how many of the other side's MSGs we delivered
            content += (self.delivered if ack is None else ack).to_bytes(8, "big")
        return content + self.sign(content)

    def take_seq(self):
        self.send_seq += 1
        return self.send_seq - 1

    # --- sending (thread-safe; each MSG/END/BYE takes the next SEQ) --------------
    def send_msg(self, plaintext):
        with self.lock:
            if self.stop or self.sent_bye:
                return False
            self.send_raw(self.msg_frame(plaintext, self.send_seq))
            self.send_seq += 1
            self.sent_msgs += 1
            return True

    def send_end(self):
        with self.lock:
            if not (self.stop or self.sent_bye):
                self.send_raw(frame(self.ctl_body(END, self.take_seq(), 0)))
                self.sent_end = True
            return self.sent_end

    def send_bye(self, reason, bad_sig=False, ack=None):
        with self.lock:
            if self.sent_bye:
                return
            body = self.ctl_body(BYE, self.take_seq(), reason, ack)
            if bad_sig:
                body = flip(body, len(body) - 1)   # lowest bit of SIG
            self.sent_bye, self.bye_time = True, time.monotonic()
            self.send_raw(frame(body))

    # --- receiving after establishment ---------------------------------------------
    def receive(self, body):
        """Check one frame in the spec's order; return (type, plaintext or arg)."""
        ftype = body[0]
        name = TYPE_NAMES.get(ftype, "frame type %d" % ftype)
        if ftype == MSG:
            fixed = 9 + self.own_k + 16 + self.peer_k
            ok = fixed <= len(body) <= fixed + MAX_MSG
        elif ftype in (END, BYE):
            ok = len(body) == (18 if ftype == BYE else 10) + self.peer_k
        else:
            raise ProtocolError("unexpected %s after the handshake" % name)
        if not ok:
            raise ProtocolError("%s: wrong frame length %d" % (name, len(body)))
        content, sig = body[:-self.peer_k], body[-self.peer_k:]
        label = "%s %d" % (name, self.recv_seq)
        if not self.verify(content, sig):
            raise ProtocolError(label + ": signature verification failed - closing (possible tampering)")
        seq = int.from_bytes(content[1:9], "big")
        if seq != self.recv_seq:
            raise ProtocolError("%s: sequence number %d, expected %d" % (name, seq, self.recv_seq))
        self.recv_seq += 1
        if ftype == MSG:
            if self.peer_end:
                raise ProtocolError(label + ": MSG after the peer's END")
            wrap, ctt = content[9:9 + self.own_k], content[9 + self.own_k:]
            try:
                key = self.priv.decrypt(wrap, OAEP)
                if len(key) != 32:
                    raise ValueError("bad key length")
                return MSG, self.gcm(self.peerdir, key).decrypt(ZERO_IV, ctt,
                                                                L + self.T + self.peerdir + content[:9])
            except (ValueError, InvalidTag):
                raise ProtocolError(label + ": decryption failed") from None
        arg = content[9]
        if ftype == END:
            if arg != 0:
                raise ProtocolError(label + ": last byte %d, must be 0" % arg)
            if self.peer_end:
                raise ProtocolError(label + ": second END")
            self.peer_end = True
        elif arg not in REASONS:
            raise ProtocolError(label + ": invalid reason %d" % arg)
        else:
            ack = int.from_bytes(content[10:18], "big")
            if ack > self.sent_msgs:
                raise ProtocolError(label + ": ACK %d, but we sent %d" % (ack, self.sent_msgs))
            return ftype, (arg, ack)
        return ftype, arg

    def drain(self, wait):
        """Half-close and read to EOF (at most `wait` s), so close() never resets."""
        self.shutdown_write()
        try:
            self.reader.discard_until_closed(wait)
        except Closed:
            pass


def write_out(data):
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def outgoing(args):
    for text in args.send:
        yield os.fsencode(text)
    if args.send_file:
        yield from iter(lambda: args.send_file.read(MAX_MSG), b"")


def sender_main(sess, args):
    """Sender thread of normal mode: MSGs, then END (or BYE with --bye-after)."""
    try:
        count = 0
        for plaintext in outgoing(args):
            if args.bye_after is not None and count >= args.bye_after:
                break
            if not sess.send_msg(plaintext):
                return
            count += 1
        if args.bye_after is not None:
            sess.send_bye(0)
            log("sent BYE reason 0 after %d messages" % count)
        elif not args.no_end and sess.send_end():
            log("sent END after %d messages" % count)
    except OSError as e:
        log("send failed: %s" % e)


def on_peer_bye(sess, reason, ack):
    """The other side's BYE: 1 or 2 ends at once; 0 is answered, and its ACK judged."""
    log("BYE received, reason %d (%s), ACK %d" % (reason, REASONS[reason], ack))
    sess.stop = True
    if reason:
        finish(4, "other side aborted: BYE reason %d (%s)" % (reason, REASONS[reason]))
    if sess.bye_delay and not sess.sent_bye:
        time.sleep(sess.bye_delay)
        log("answering BYE 0 after holding it %g s" % sess.bye_delay)
    try:
        sess.send_bye(0)            # no-op if we already sent ours
    except OSError:
        pass
    sess.drain(CLOSE_WAIT)
    with sess.lock:
        sent = sess.sent_msgs
    if ack != sent:
        finish(1, "only %d of our %d messages confirmed" % (ack, sent))
    finish(0, "session closed: BYE 0 exchanged, all %d messages confirmed" % sent)


def run_normal(sess, args):
    try:
        sess.handshake()
    except ProtocolError as e:
        finish(1, "ERROR " + str(e))
    except (Closed, OSError) as e:
        finish(1, "connection lost during the handshake (%s)" % e)
    if args.bye_on_signal:
        bye_on_signal(sess)
    sender = threading.Thread(target=sender_main, args=(sess, args), daemon=True)
    sender.start()
    while True:
        if sess.peer_end and sess.sent_end and not sess.sent_bye and not args.bye_delay:
            sess.send_bye(0)        # END both ways, every MSG written: BYE 0 with ACK
            log("sent BYE reason 0, ACK %d" % sess.delivered)
        try:
            body = sess.reader.next_frame(0.2, MAX_LEN)
            if body is None:
                continue
            ftype, value = sess.receive(body)
        except ProtocolError as e:
            finish(1, "ERROR " + str(e))
        except Closed as e:
            finish(1, "connection lost before the other side's BYE (%s)" % e)
        if ftype == MSG:
            if args.exit_crossing and not sess.sent_bye:
                sess.send_bye(0)    # as if typed before this MSG arrived: not counted
                log("sent BYE reason 0 crossing MSG %d, ACK %d" % (sess.recv_seq - 1, sess.delivered))
            try:
                write_out(value)
                sess.delivered += 1
            except OSError as e:
                sess.stop = True
                sess.send_bye(2)
                finish(1, "cannot write stdout (%s): sent BYE reason 2" % e)
        elif ftype == END:
            log("END received")
        else:
            on_peer_bye(sess, *value)


def attack_action(sess, name):
    """Send the hostile frame(s) of an attack that runs after establishment."""
    msg = sess.msg_frame
    if name in ("tamper-ct", "tamper-wrap"):
        sess.send_raw(msg(forged(name), sess.take_seq(), name.split("-")[1]))
    elif name == "bad-sig":
        sess.send_raw(flip(msg(forged(name), sess.take_seq()), -1))
    elif name == "replay":
        data = msg(b"REPLAYED-ONCE", sess.take_seq())
        sess.send_raw(data)
        sess.send_raw(data)
    elif name == "skip-seq":
        sess.send_raw(msg(forged(name), sess.send_seq + 1))
    elif name == "huge-len":
        sess.send_raw(b"\xff\xff\xff\xff")
    elif name == "auth-twice":
        sess.send_auth()
    elif name == "stall-midframe":
        sess.send_raw(msg(forged(name), sess.take_seq())[:3])
    elif name == "end-then-msg":
        sess.send_end()
        sess.send_raw(msg(forged(name), sess.take_seq()))
    elif name == "bye-bad-sig":
        sess.send_bye(0, bad_sig=True)
    elif name == "bad-reason":
        sess.send_bye(7)
    elif name == "len-mismatch":
        body = sess.msg_body(forged(name), sess.take_seq())
        sess.send_raw(struct.pack(">I", len(body) + 1) + body + b"\x00")
    elif name == "end-long":    # a fixed-length frame one byte too long, correctly signed
        content = bytes([END]) + sess.take_seq().to_bytes(8, "big") + b"\x00\x00"
        sess.send_raw(frame(content + sess.sign(content)))
    elif name == "oversize":    # a well-formed MSG one byte over the largest message
        sess.send_raw(msg(forged(name) + bytes(MAX_MSG + 1 - len(forged(name))), sess.take_seq()))
    elif name == "end-bad-sig":
        content = bytes([END]) + sess.take_seq().to_bytes(8, "big") + b"\x00"
        sess.send_raw(frame(content + flip(sess.sign(content), -1)))
    elif name in ("end-bad-seq", "bye-bad-seq"):    # one ahead: a frame dropped
        sess.take_seq()
        if name == "end-bad-seq":
            sess.send_end()
        else:
            sess.send_bye(0)
    elif name == "end-twice":
        sess.send_end()
        with sess.lock:
            sess.send_raw(frame(sess.ctl_body(END, sess.take_seq(), 0)))
    elif name == "frame-over":  # one byte over the largest legal frame, sent whole
        body = sess.msg_body(forged(name), sess.take_seq())
        sess.send_raw(struct.pack(">I", MAX_LEN + 1) + body + bytes(MAX_LEN + 1 - len(body)))
    elif name == "no-answer":   # hold the connection open, read nothing, say nothing
        log("holding the connection, reading nothing")
        time.sleep(3600)
    elif name == "key1024":     # only reached if the other side accepted our key
        sess.send_raw(msg(forged(name), sess.take_seq()))
    elif name == "msg-after-bye":
        msg_after_bye(sess)


def unacked(sock):
    """Bytes sent that the other side's kernel has not acknowledged (SIOCOUTQ)."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]


def msg_after_bye(sess):
    """MSG, BYE 0, a forged MSG, then (on SIGUSR1, once the other side has the
    BYE) a reset: the forged MSG is read only on the reset path."""
    sess.send_raw(msg_frame_now(sess, b"before the BYE\n"))
    sess.send_bye(0, ack=0)
    sess.send_raw(msg_frame_now(sess, forged("msg-after-bye")))
    # A reset discards what the other side's kernel has not acknowledged:
    # wait until it holds every byte (our send queue, SIOCOUTQ, empty).
    end = time.monotonic() + 10
    while unacked(sess.sock) > 0 and time.monotonic() < end:
        time.sleep(0.01)
    log("sent MSG, BYE 0, MSG (%d bytes unacknowledged); waiting for SIGUSR1 to reset"
        % unacked(sess.sock))
    signal.sigwait([signal.SIGUSR1])
    sess.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sess.sock.close()
    finish(0, "reset the connection")


def bye_on_signal(sess):
    """--bye-on-signal: a thread that, on SIGUSR1, sends BYE 0 with ACK 0 (as
    if our user left having seen none of the other side's MSGs), and on the
    next SIGUSR1 resets the connection: the end even for a side whose
    packets to us are being dropped, so that it waits for nothing."""
    def wait_then_bye():
        signal.sigwait([signal.SIGUSR1])
        sess.send_bye(0, ack=0)
        log("sent BYE reason 0, ACK 0, on SIGUSR1")
        signal.sigwait([signal.SIGUSR1])
        sess.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        finish(0, "reset the connection")   # by exiting: the main thread may be reading
    threading.Thread(target=wait_then_bye, daemon=True).start()


def msg_frame_now(sess, plaintext):
    return sess.msg_frame(plaintext, sess.take_seq())


def stall_handshake(sess, name):
    """The handshake's frames up to the one NAME names, the last after SLOW s, then
    nothing: the limit runs from the connection, not from the last frame."""
    if name == "stall-handshake":     # not even a COMMIT
        return
    if name == "stall-commit":
        time.sleep(SLOW)
        sess.make_hello()
        sess.send_commit()
    elif sess.mydir == b"c":    # stall-hello, the client's: COMMIT, HELLO, no AUTH
        sess.make_hello()
        sess.send_commit()
        sess.recv_hello()
        time.sleep(SLOW)
        sess.send_raw(sess.my_hello)
    else:                       # stall-hello, the server's: HELLO, no AUTH
        sess.recv_commit()
        time.sleep(SLOW)
        sess.send_hello()


def send_forged(sess, name):
    """A marked MSG the other side would take as genuine had it accepted what
    the attack sent (possible once HELLOs were exchanged)."""
    if sess.T is None or name in ("stall-midframe", "no-answer", "msg-after-bye"):
        return
    if sess.kdir is None and sess.peer_eph is not None:
        sess.session_keys()     # the keys it would have: no need to wait for an AUTH
    sess.send_raw(msg_frame_now(sess, forged(name)))
    log("sent a forged MSG")


def forge_after_auth(sess, name):
    """Our AUTH is followed at once by a marked MSG, before the other side's
    AUTH: it is delivered only if the other side accepted our HELLO."""
    send_auth = sess.send_auth

    def send_auth_then_forged():
        send_auth()
        send_forged(sess, name)
    sess.send_auth = send_auth_then_forged


HANDSHAKE_ATTACKS = ("key16384", "hello-first", "v1", "v2", "commit33", "commit35", "commit-v4",
                     "commit-twice", "commit-mismatch", "msg-before-auth", "bad-auth",
                     "silent", "server-commit")


def attack_handshake(sess, name):
    """A hostile handshake; returns the time the decisive frame went out (key16384)."""
    if name == "silent":        # a client that connects and says nothing hears nothing
        ready, _, _ = select.select([sess.sock], [], [], 1.0)
        finish(1 if ready else 0, "%s within 1 s of connecting" %
               ("the server sent something" if ready else "nothing received"))
    if name == "v1":            # a secchat/1 peer: its HELLO at once, unasked
        sess.send_hello(version=1)
        return None
    if name == "v2" and sess.mydir == b"c":     # a secchat/2 client: COMMIT 2
        sess.make_hello(version=2)
        sess.send_commit(version=2)
        return None
    if name == "v2":                            # a secchat/2 server: a HELLO 2 answers any COMMIT
        sess.read_handshake_frame()
        sess.send_hello(version=2)
        return None
    if name == "server-commit":
        sess.recv_commit()
        sess.make_hello()
        sess.send_commit()
        return None
    if name == "bad-auth" and sess.mydir == b"s":
        sess.recv_commit()
        sess.send_hello()
        sess.recv_hello()
        sess.recv_auth()
        content = bytes([AUTH])
        sess.send_raw(frame(content + flip(sess.sign(content), -1)))
        return None
    if name == "hello-first":
        sess.send_hello()
        return None
    spki = fake_spki() if name == "key16384" else None
    sess.make_hello(spki)
    if name in ("commit33", "commit35", "commit-v4"):
        sess.send_commit(VERSION + 1 if name == "commit-v4" else VERSION,
                         b"\x00" if name == "commit35" else b"", 1 if name == "commit33" else 0)
        return None
    sess.send_commit()
    if name == "key16384":
        log("sending HELLO with a 16384-bit key (%d-byte SPKI)" % len(spki))
        sess.read_handshake_frame()
        sess.send_raw(sess.my_hello)
        return time.monotonic()
    sess.recv_hello()
    if name == "commit-twice":
        sess.send_commit()
    elif name == "commit-mismatch":
        sess.send_raw(flip(sess.my_hello, 10))      # one bit of the nonce
    else:
        sess.send_raw(sess.my_hello)
        if name == "msg-before-auth":
            sess.send_raw(sess.msg_frame(forged(name), sess.take_seq()))
        elif name == "bad-auth":
            content = bytes([AUTH])
            sess.send_raw(frame(content + flip(sess.sign(content), -1)))
    return None


def run_attack(sess, args):
    name, t0, how, bye = args.attack, None, None, None
    try:
        if name in HANDSHAKE_ATTACKS:
            t0 = attack_handshake(sess, name)
            send_forged(sess, name)
        elif name.startswith("stall-") and name != "stall-midframe":
            t0 = sess.conn_time     # the handshake's limit runs from the connection
            stall_handshake(sess, name)
        else:
            spki = sess.spki + b"\x00" if name == "hello-trailing" else None
            if name in ("hello-trailing", "bad-version", "key-e3", "key1024", "eph-low"):
                forge_after_auth(sess, name)
            sess.handshake(spki, VERSION + 1 if name == "bad-version" else VERSION,
                           LOW_ORDER if name == "eph-low" else None)
            for text in args.send:
                sess.send_msg(os.fsencode(text))
            attack_action(sess, name)
            if name == "stall-midframe":
                t0 = time.monotonic()   # the stall limit runs from the last byte
            send_forged(sess, name)
        log("attack %s sent" % name)
    except ProtocolError as e:
        finish(1, "ERROR " + str(e))
    except Closed as e:
        how = "%s, before the attack completed" % e
    except OSError as e:
        log("send failed: %s" % e)
    while how is None:      # discard everything, print only MSGs that verify
        body = None
        try:
            body = sess.reader.next_frame(1.0, MAX_LEN if sess.established else MAX_HS_LEN)
        except ProtocolError as e:      # the stream cannot be resynchronised
            log("discarding the rest: %s" % e)
            try:
                sess.reader.discard_until_closed()
            except Closed as c:
                how = str(c)
        except Closed as e:
            how = str(e)
        if body is None:
            continue
        if not sess.established:
            log("discarded %s frame" % TYPE_NAMES.get(body[0], "unknown"))
            continue
        try:
            ftype, value = sess.receive(body)
        except ProtocolError as e:
            log("discarded: %s" % e)
            continue
        if ftype == MSG:
            write_out(value)
        elif ftype == BYE:
            bye = value[0]
            log("BYE received, reason %d" % bye)
            if name not in ("huge-len", "stall-midframe"):  # our stream is still framed
                try:
                    sess.send_bye(0)
                except OSError:
                    pass
            sess.shutdown_write()
    if t0 is not None:
        log("closed after %.3f s" % (time.monotonic() - t0))
    finish(0, "closed by other side (%s); %s" % (
        how, "BYE seen, reason %d" % bye if bye is not None else "no BYE seen"))


def flood(port, count):
    """Connect count times at once; every connection must be turned away
    promptly: refused by the kernel, or (a -k server during a session)
    accepted and reset."""
    t0, socks, slowest = time.monotonic(), {}, 0.0
    results = {"refused": 0, "reset": 0, "accepted": 0, "other": 0}
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        socks[sock.fileno()] = sock
    poller = select.poll()
    for fd in socks:
        poller.register(fd, select.POLLOUT)
    while socks and time.monotonic() - t0 < 10:
        for fd, ev in poller.poll(100):
            sock = socks[fd]
            err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err == 0 and not ev & (select.POLLIN | select.POLLHUP | select.POLLERR):
                poller.modify(fd, select.POLLIN)    # connected: turned away later?
                continue
            if err == 0:
                try:
                    err = -2 if sock.recv(1) == b"" else -1     # a FIN is no reset
                except ConnectionResetError:
                    err = errno.ECONNRESET
                except OSError as e:
                    err = e.errno
            del socks[fd]
            poller.unregister(fd)
            kind = "refused" if err == errno.ECONNREFUSED else "reset" if err == errno.ECONNRESET else "other"
            results[kind] += 1
            if kind == "other":
                log("flood: %s" % (os.strerror(err) if err > 0 else "data received" if err == -1 else "closed, not reset"))
            slowest = max(slowest, time.monotonic() - t0)
            sock.close()
    results["accepted"] = len(socks)
    log("flood: %d connections: %d refused, %d reset, %d accepted and left open, %d other; slowest %.3f s"
        % (count, results["refused"], results["reset"], results["accepted"], results["other"], slowest))
    finish(0 if results["refused"] + results["reset"] == count and slowest < 1.0 else 1)


def replay(args, priv):
    """Connect args.count times, each time replaying the public key of args.replay_pub
    in a HELLO with a valid COMMIT, and an AUTH that cannot verify (we lack the
    private key).  Exits 0 only if every connection ended without an AUTH from
    the server: a server that signed for a stranger fails this."""
    with open(args.replay_pub, "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    spki, klen = key.public_bytes(DER, SPKI), (key.key_size + 7) // 8
    auths = 0
    for i in range(args.count):
        sock, _ = open_connection(args, quiet=True)
        sess = Session(sock, "c", priv)
        try:
            sess.make_hello(spki)
            sess.send_commit()
            sess.recv_hello()
            sess.send_raw(sess.my_hello)
            sess.send_raw(frame(bytes([AUTH]) + os.urandom(klen)))
            while True:
                body = sess.reader.next_frame(STALL, MAX_HS_LEN)
                if body is not None and body[0] == AUTH:
                    auths += 1
        except (Closed, ProtocolError, OSError):
            pass
        sock.close()
    finish(1 if auths else 0, "replay: %d connections with a replayed key, %d AUTH received"
           % (args.count, auths))


def open_connection(args, quiet=False):
    try:
        if args.server is not None:
            lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            lsock.bind(("127.0.0.1", args.server))
            lsock.listen(1)
            log("listening")
            sock, addr = lsock.accept()
            lsock.close()
            log("accepted connection from %s:%d" % addr)
            return sock, "s"
        deadline = time.monotonic() + 10
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", args.client))
                if not quiet:
                    log("connected to 127.0.0.1:%d" % args.client)
                return sock, "c"
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
    except OSError as e:
        finish(1, "ERROR cannot %s: %s" % ("listen" if args.server is not None else "connect", e))


def parse_args():
    def port(text):
        if not 1 <= int(text) <= 65535:
            raise ValueError(text)
        return int(text)
    p = argparse.ArgumentParser(prog="peer.py", description="secchat/3 test peer")
    role = p.add_mutually_exclusive_group(required=True)
    role.add_argument("-c", dest="client", type=port, metavar="PORT", help="connect to 127.0.0.1:PORT")
    role.add_argument("-s", dest="server", type=port, metavar="PORT", help="listen on 127.0.0.1:PORT")
    p.add_argument("-b", dest="bits", type=int, default=2048, help="own RSA key size (2048)")
    p.add_argument("--attack", choices=ATTACKS + BOUND_ATTACKS, metavar="NAME", help=", ".join(ATTACKS))
    p.add_argument("--send", action="append", default=[], metavar="TEXT", help="send TEXT as one MSG")
    p.add_argument("--send-file", type=argparse.FileType("rb"), metavar="FILE",
                   help="send FILE in MSGs of at most %d bytes" % MAX_MSG)
    p.add_argument("--no-end", action="store_true", help="do not send END")
    p.add_argument("--bye-after", type=int, metavar="N", help="send BYE 0 after N messages instead of END")
    p.add_argument("--bye-delay", type=float, default=0, metavar="SEC",
                   help="never send BYE 0 first; answer the other side's BYE 0 SEC seconds late")
    p.add_argument("--bye-on-signal", action="store_true",
                   help="on SIGUSR1, send BYE 0 with ACK 0; on the next, reset the connection")
    p.add_argument("--exit-crossing", action="store_true",
                   help="send BYE 0 as the first MSG arrives, its ACK not counting that MSG")
    p.add_argument("--eph-top-bit", action="store_true",
                   help="set the unused top bit of our EPH (RFC 7748: ignored by the receiver)")
    p.add_argument("--flood", type=int, metavar="N", help="N connections at once, each must be refused")
    p.add_argument("--replay-pub", metavar="FILE",
                   help="replay this public key (PEM) in --count connections; no AUTH may come back")
    p.add_argument("--count", type=int, default=1, metavar="N", help="connections for --replay-pub")
    p.add_argument("--nonces", metavar="FILE",
                   help="refuse a nonce this file lists; add each one seen")
    p.add_argument("--timeout", type=float, default=20.0, metavar="SEC", help="overall limit (20)")
    args = p.parse_args()
    if not 1024 <= args.bits <= 16384:
        p.error("-b must be within 1024..16384")
    if args.timeout <= 0:
        p.error("--timeout must be positive")
    if args.bye_after is not None and (args.bye_after < 0 or args.no_end or
                                       args.attack not in (None, "split1")):
        p.error("--bye-after N needs N >= 0, normal mode and no --no-end")
    return args


# ---- bounds (issue 17): every frame type in every state, the key and frame bounds ----
# A block of its own, built only on the Session's frame functions above, so
# that a change of the handshake reaches it.
#   at-PHASE-TYPE  a frame of TYPE where the state forbids it.  PHASE: pre (the
#                  client's first frame), commit (after the COMMIT, instead of the
#                  HELLO that answers or follows it), hello (both HELLOs sent,
#                  instead of the AUTH), open (established), end (after our END),
#                  bye (after our BYE 0, sent once the other side's END is in).
#                  TYPE: a frame type, t0 / t7 (no such type), len0 (LEN = 0), or
#                  a frame of the type the state allows, wrong in one detail (see
#                  bound_odd).
#   key2047, key4097, key-e65539, key-e2p32 (e = 2^32 + 65537), key-ec (P-256),
#                  key-ed25519: our HELLO carries such a key (no private key
#                  behind the RSA ones).
#   hello1024, hello1025: our HELLO, padded with trailing bytes to a LEN of
#                  1024 (the largest handshake frame: refused for the padding)
#                  or 1025 (refused for its length).
BOUND_TYPES = {"commit": COMMIT, "hello": HELLO, "auth": AUTH, "msg": MSG, "end": END,
               "bye": BYE, "t0": 0, "t7": 7, "len0": None}
BOUND_ODD = ("authlong", "byelong", "byeshort", "endshort", "msgshort", "bye3", "end1",
             "ackover", "salt20", "key31", "bye1", "bye2")
BOUND_TYPES.update((name, None) for name in BOUND_ODD)
BOUND_PHASES = ("pre", "commit", "hello", "open", "end", "bye")
BOUND_KEYS = ("key2047", "key4097", "key-e65539", "key-e2p32", "key-ec", "key-ed25519")
BOUND_ATTACKS = tuple("at-%s-%s" % (p, t) for p in BOUND_PHASES for t in BOUND_TYPES) + \
    BOUND_KEYS + ("hello1024", "hello1025")


def own_eph(sess):
    return sess.eph.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def bound_frame(sess, name):
    """A frame of type `name`, as genuine as the session so far allows."""
    if name in BOUND_ODD:
        return frame(bound_odd(sess, name))
    t = BOUND_TYPES[name]
    if t is None:
        return struct.pack(">I", 0)
    if t == COMMIT:
        return frame(bytes([COMMIT, VERSION]) + os.urandom(32))
    if t == HELLO:
        return frame(bytes([HELLO, VERSION]) + os.urandom(NONCE_LEN) + own_eph(sess) + sess.spki)
    if sess.T is None or sess.peer_pub is None:     # no keys yet: the type and a plausible length
        n = {AUTH: 0, MSG: 9 + 256 + 16, END: 10, BYE: 18}.get(t, 9)
        return frame(bytes([t]) + forged(name) + os.urandom(max(n - 1, 0) + sess.own_k))
    if t == AUTH:
        return frame(bytes([AUTH]) + sess.sign(bytes([AUTH])))
    if t == MSG:
        return sess.msg_frame(forged(name), sess.take_seq())
    if t in (END, BYE):
        return frame(sess.ctl_body(t, sess.take_seq(), 0))
    content = bytes([t]) + sess.take_seq().to_bytes(8, "big") + forged(name)
    return frame(content + sess.sign(content))


def bound_odd(sess, name):
    """A body of the type the state allows, correctly signed unless said: AUTH,
    BYE one byte long; BYE, END, MSG one byte short; BYE reason 3; END's last
    byte 1; a BYE 0 whose ACK confirms one MSG more than we received; a MSG
    signed with a PSS salt of 20 bytes; a MSG whose wrapped key is 31 bytes;
    a genuine BYE 1 or 2 (bye1, bye2: which must not be answered)."""
    if name == "authlong":
        return bytes([AUTH]) + sess.sign(bytes([AUTH])) + b"\x00"
    if name == "msgshort":
        return sess.msg_body(b"", sess.take_seq())[:-1]
    if name in ("salt20", "key31"):
        key, head = os.urandom(32), bytes([MSG]) + sess.take_seq().to_bytes(8, "big")
        wrap = sess.peer_pub.encrypt(key[:31] if name == "key31" else key, OAEP)
        content = head + wrap + AESGCM(key).encrypt(ZERO_IV, forged(name), L + sess.T + sess.mydir + head)
        if name == "key31":
            return content + sess.sign(content)
        salt20 = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=20)
        return content + sess.priv.sign(L + sess.T + sess.mydir + content, salt20, hashes.SHA256())
    ftype = END if name.startswith("end") else BYE
    body = sess.ctl_body(ftype, sess.take_seq(), {"bye3": 3, "end1": 1, "bye1": 1, "bye2": 2}.get(name, 0),
                         sess.delivered + 1 if name == "ackover" else None)
    return body + b"\x00" if name == "byelong" else body[:-1] if name.endswith("short") else body


def bound_reach(sess, phase):
    """Take the handshake as far as `phase`, in either role."""
    client = sess.mydir == b"c"
    if phase in ("open", "end", "bye"):
        sess.handshake()
        if phase == "end":
            sess.send_end()
        elif phase == "bye":    # once the other side's END (its input all sent) is in
            while True:
                body = sess.reader.next_frame(STALL, MAX_LEN)
                if body is not None and sess.receive(body)[0] == END:
                    break
            sess.send_bye(0)
    elif phase == "pre":
        if not client:
            finish(2, "at-pre-*: a client's attack")
    elif client:
        sess.make_hello()
        sess.send_commit()
        sess.recv_hello()
        if phase == "hello":
            sess.send_raw(sess.my_hello)
    else:
        sess.recv_commit()
        if phase == "hello":
            sess.send_hello()
            sess.recv_hello()


def bound_hello(sess, name):
    """Our HELLO with a key or a length the receiver must refuse (or just accept)."""
    if name == "key-ec":
        spki = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(DER, SPKI)
    elif name == "key-ed25519":
        spki = Ed25519PrivateKey.generate().public_key().public_bytes(DER, SPKI)
    elif name in BOUND_KEYS:
        bits = {"key2047": 2047, "key4097": 4097}.get(name, 2048)
        e = {"key-e65539": 65539, "key-e2p32": (1 << 32) + 65537}.get(name, 65537)
        n = int.from_bytes(os.urandom((bits + 7) // 8), "big") % (1 << bits) | (1 << (bits - 1)) | 1
        spki = rsa.RSAPublicNumbers(e, n).public_key().public_bytes(DER, SPKI)
    else:
        spki = sess.spki
    body = bytes([HELLO, VERSION]) + os.urandom(NONCE_LEN) + own_eph(sess) + spki
    if name in ("hello1024", "hello1025"):
        body += bytes(int(name[5:]) - len(body))
    sess.my_hello = frame(body)
    if sess.mydir == b"c":
        sess.send_commit()
        sess.read_handshake_frame()
    else:
        sess.recv_commit()
    sess.send_raw(sess.my_hello)


def run_bound(sess, args):
    name = args.attack
    try:
        if name.startswith("at-"):
            _, phase, ftype = name.split("-")
            bound_reach(sess, phase)
            sess.send_raw(bound_frame(sess, ftype))
        else:
            bound_hello(sess, name)
        log("attack %s sent" % name)
    except ProtocolError as e:
        finish(1, "ERROR " + str(e))
    except Closed as e:
        finish(0, "closed by other side (%s), before the attack completed" % e)
    except OSError as e:
        log("send failed: %s" % e)
    end, bye, n = time.monotonic() + STALL + 5, "no BYE seen", 0    # a failure closes without BYE
    while time.monotonic() < end:
        try:
            body = sess.reader.next_frame(1.0, MAX_LEN if sess.established else MAX_HS_LEN)
            n += body is not None
            if body is not None and body[0] == BYE:
                bye = "BYE seen"
        except ProtocolError as e:
            log("discarding the rest: %s" % e)
            sess.reader.buf.clear()
        except Closed as e:
            finish(0, "closed by other side (%s); %s; %d frames after the attack" % (e, bye, n))
    finish(1, "the other side did not close")


def main():
    args = parse_args()
    if args.flood:
        flood(args.client, args.flood)
    if args.attack == "msg-after-bye" or args.bye_on_signal:    # for sigwait, in every thread
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    timer = threading.Timer(args.timeout, finish, (1, "timeout after %g s" % args.timeout))
    timer.daemon = True
    timer.start()
    bits = 1024 if args.attack == "key1024" else args.bits
    priv = rsa.generate_private_key(public_exponent=3 if args.attack == "key-e3" else 65537,
                                    key_size=bits)
    log("own key " + fingerprint(priv.public_key().public_bytes(DER, SPKI)))
    if args.replay_pub:
        replay(args, priv)
    sock, role = open_connection(args)
    sess = Session(sock, role, priv, split=args.attack == "split1")
    sess.nonces = args.nonces
    sess.eph_top_bit = args.eph_top_bit
    sess.bye_delay = args.bye_delay
    if sess.split:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if args.attack in BOUND_ATTACKS:
        run_bound(sess, args)
    elif args.attack in (None, "split1"):
        run_normal(sess, args)
    else:
        run_attack(sess, args)


if __name__ == "__main__":
    main()
