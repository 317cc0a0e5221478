# test: peerserver
# T without the label L: two secchats agree, the protocol's other side does not.
/^recv_hello(/,/^}/ s/if ((ret = sha256(s->t, v, 3)) != 0)/if ((ret = sha256(s->t, v + 1, 2)) != 0)/
