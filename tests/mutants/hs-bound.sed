# test: bound-peerkey
# The handshake's frame bound one off: a 1025-byte HELLO is read.
s/len > (s->phase == P_OPEN ? MAXBODY : MAXHS)/len > (s->phase == P_OPEN ? MAXBODY : MAXHS + 1)/
