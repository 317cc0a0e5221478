# test: rule-deadline
# hunks: 2
# The handshake's limit only until the first frame: a peer silent after its COMMIT is kept for ever.
/^deadline(/,/^}/ s/if (s->phase != P_OPEN && s->t_conn/if (s->phase == P_COMMIT \&\& s->t_conn/
/^timed_out(/,/^}/ s/if (s->phase != P_OPEN && now/if (s->phase == P_COMMIT \&\& now/
