# test: bound-options
# -g accepts -p and -v, which it ignores.
s/ || o->port || s->verbose))) {/))) {/
