# test: bound-ipv4
# Only IPv6 tried: a system without IPv6 cannot serve.
s/for (i = 0; i < 2 \&\& lfd < 0; i++)/for (i = 0; i < 1 \&\& lfd < 0; i++)/
