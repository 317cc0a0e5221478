# test: vanish
# The 30 s stall limit applied to an idle session too: a live peer that says nothing is dropped.
s/if (idle && s->rxlen > 0 && s->t_rx + STALL_TIMEOUT < d)/if (idle \&\& s->t_rx + STALL_TIMEOUT < d)/
