#!/usr/bin/python3
"""mitm.py - a man in the middle between a real secchat client and server.

  mitm.py LISTEN_PORT SERVER_PORT

It plays server to the client that connects to 127.0.0.1:LISTEN_PORT and
client to the server at 127.0.0.1:SERVER_PORT, each with a key of its own,
and relays every message, END and BYE (with its ACK) from one session to the
other, reading the plaintext as it passes.  What the commitment (since secchat/2)
promises: the two real sides then show different safety codes.  Built on
peer.py's implementation of the protocol.
"""
import os, socket, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402


def main():
    listen_port, server_port = int(sys.argv[1]), int(sys.argv[2])
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", listen_port))
    lsock.listen(1)
    peer.log("mitm: listening")
    csock, _ = lsock.accept()
    ssock = socket.create_connection(("127.0.0.1", server_port))
    key = lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    to_client = peer.Session(csock, "s", key())
    to_server = peer.Session(ssock, "c", key())
    try:
        to_server.handshake()
        to_client.handshake()
    except (peer.ProtocolError, peer.Closed, OSError) as e:
        peer.finish(1, "mitm: handshake failed: %s" % e)
    other = {to_client: to_server, to_server: to_client}
    byes = 0
    while byes < 2:
        for src in (to_client, to_server):
            try:
                body = src.reader.next_frame(0.02, peer.MAX_LEN)
                if body is None:
                    continue
                ftype, value = src.receive(body)
            except (peer.ProtocolError, peer.Closed, OSError) as e:
                peer.finish(1, "mitm: relay ended: %s" % e)
            dst = other[src]
            if ftype == peer.MSG:
                peer.log("mitm: read %d bytes of plaintext" % len(value))
                dst.send_msg(value)
                src.delivered += 1
            elif ftype == peer.END:
                dst.send_end()
            else:
                dst.send_bye(value[0], ack=value[1])
                byes += 1
    for sess in (to_client, to_server):
        sess.drain(peer.CLOSE_WAIT)
    peer.finish(0, "mitm: relayed the whole conversation")


if __name__ == "__main__":
    main()
