# test: bound-fields
# A BYE may confirm one MSG more than we sent.
/^recv_close(/,/^}/ s/if ((s->peer_ack = get64(b + 10)) > s->nsent)/if ((s->peer_ack = get64(b + 10)) > s->nsent + 1)/
