#!/usr/bin/python3
"""secrets.py CORE KEYS [TEXTFILE]...: search a memory image for the secrets
of a session.  KEYS is a comma-separated list of PEM private key files, of
NAME=HEX (a session secret such as Z or a direction key, looked for in both
byte orders), and of
public moduli (0x and hex) of keys made in memory, never written to a file:
for a modulus, the image is first scanned for one of its primes as Mbed TLS
stores it (little-endian 64-bit limbs, 8-byte aligned), which yields the
whole key only if the image holds it.  Likewise x25519:HEX, an ephemeral
public key (EPH as sent): the image is scanned for its private scalar, a
clamped one as Mbed TLS makes it, 32 bytes in little-endian limbs.  Looked for, as any run of 32 bytes or
more: the private key's
p, q, d, d mod (p-1), d mod (q-1) and q^-1 mod p, each big-endian (as in DER)
and little-endian (as in Mbed TLS's limbs); the base64 body of the PEM key
file (its BEGIN and END lines are public text, found in any Mbed TLS
library); and each TEXTFILE (the messages).  Prints what was found where;
exits 1 if anything was found, 0 if nothing.

Any run of 32 bytes of a secret contains one of its 16-byte blocks that
starts at a multiple of 16, so those blocks are searched for and every hit
is extended both ways to see how much of the secret is there."""
import sys

from cryptography.hazmat.primitives import serialization

RUN = 32


def find_prime(core, n):
    """A prime factor of n stored in core as little-endian limbs, or None."""
    size = (n.bit_length() + 15) // 16 // 8 * 8     # bytes of one prime
    for at in range(0, len(core) - size, 8):
        if core[at + size - 1] & 0x80 and core[at] & 1:       # full length, odd
            x = int.from_bytes(core[at:at + size], "little")
            if 1 < x < n and n % x == 0:
                return x
    return None


def find_x25519(core, eph):
    """The X25519 private key whose public key is eph, stored in core as
    Mbed TLS's limbs (8-byte aligned, little-endian, so as RFC 7748 writes
    it), or None.  Only clamped values are tried: bits 0-2 and 255 clear, 254 set."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    for at in range(0, len(core) - 32, 8):
        x = core[at:at + 32]
        if x[0] & 7 == 0 and x[31] & 0xc0 == 0x40 and \
                X25519PrivateKey.from_private_bytes(x).public_key().public_bytes(*raw) == eph:
            return x
    return None


def private_values(core, key):
    """(label, p, q, d, dp, dq, qinv, PEM text or None) for a key file or a modulus."""
    if key.startswith("0x"):
        n = int(key, 16)
        p = find_prime(core, n)
        if p is None:
            return None
        q, pem = n // p, None
        d = pow(65537, -1, (p - 1) * (q - 1))
        return ("key " + key[:18] + "...", p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), pem)
    pem = open(key, "rb").read()
    nums = serialization.load_pem_private_key(pem, password=None).private_numbers()
    return ("", nums.p, nums.q, nums.d, nums.dmp1, nums.dmq1, nums.iqmp, pem)


def secrets(core, keys, textfiles):
    out = []
    for key in keys.split(","):
        if key.startswith("x25519:"):
            x = find_x25519(core, bytes.fromhex(key[7:]))
            if x is None:
                print("no X25519 private key of EPH %s... in the image" % key[7:23])
            else:
                out.append(("ephemeral key of EPH " + key[7:23] + "...", x))
            continue
        if "=" in key:
            name, value = key.split("=", 1)
            out += [(name, bytes.fromhex(value)), (name + " reversed", bytes.fromhex(value)[::-1])]
            continue
        v = private_values(core, key)
        if v is None:
            print("no prime of %s... in the image" % key[:18])
            continue
        label, pem = v[0] and v[0] + ": ", v[7]
        for name, x in zip(("p", "q", "d", "dp", "dq", "qinv"), v[1:7]):
            be = x.to_bytes((x.bit_length() + 7) // 8, "big")
            out += [(label + name + " big-endian", be), (label + name + " little-endian", be[::-1])]
        if pem:
            body = b"".join(line + b"\n" for line in pem.splitlines() if not line.startswith(b"-----"))
            out.append(("PEM key file text", body))
    for path in textfiles:
        out.append(("message " + path, open(path, "rb").read()))
    return out


def longest(core, at, secret, off):
    """Length of the match of secret[off:] at core[at:], extended backwards too."""
    back = 0
    while back < off and at - back > 0 and core[at - back - 1] == secret[off - back - 1]:
        back += 1
    fwd = 16
    while off + fwd < len(secret) and at + fwd < len(core) and core[at + fwd] == secret[off + fwd]:
        fwd += 1
    return back + fwd, at - back


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: secrets.py CORE KEYS [TEXTFILE]...")
    core = open(sys.argv[1], "rb").read()
    found = 0
    wanted = secrets(core, sys.argv[2], sys.argv[3:])
    for name, secret in wanted:
        best = None
        for off in range(0, len(secret) - 15, 16):
            at = core.find(secret[off:off + 16])
            while at >= 0:
                n, start = longest(core, at, secret, off)
                if n >= RUN and (best is None or n > best[0]):
                    best = (n, start)
                at = core.find(secret[off:off + 16], at + 1)
        if best:
            found += 1
            print("FOUND %s: %d of its %d bytes at offset 0x%x" % (name, best[0], len(secret), best[1]))
    print("searched %.1f MB for %d secrets: %s" % (len(core) / 1e6, len(wanted),
                                                   "%d found" % found if found else "none found"))
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
