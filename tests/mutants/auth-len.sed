# test: bound-fields
# An AUTH one byte long is read as if it had the right length.
/^recv_auth(/,/^}/ s/if (len != 1 + s->peerlen)/if (len < 1 + s->peerlen)/
