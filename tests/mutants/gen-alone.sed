# test: bound-options
# -g accepts -p and -v, which it ignores.
s/ || port || s\.verbose))) {/))) {/
