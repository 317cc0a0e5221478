# test: bound-keep
# A -k server counts its key as used once the client's HELLO checks out, before
# its AUTH: a stranger's failed handshake costs a key generation.
/^recv_hello(/,/^}/ s/^\ts->phase = P_AUTH;/\ts->phase = P_AUTH; s->used = 1;/
