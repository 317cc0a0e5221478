# test: rule-deadline
# hunks: 2
# The handshake's limit counted from the last byte received, not the connection: a slow handshake never ends.
/^deadline(/,/^}/ s/if (s->phase != P_OPEN && s->t_conn + HS_TIMEOUT < d)/if (s->phase != P_OPEN \&\& s->t_rx + HS_TIMEOUT < d)/
/^deadline(/,/^}/ s/^\t\td = s->t_conn + HS_TIMEOUT;/\t\td = s->t_rx + HS_TIMEOUT;/
/^timed_out(/,/^}/ s/now >= s->t_conn + HS_TIMEOUT/now >= s->t_rx + HS_TIMEOUT/
