# test: attack-c-end-twice
# A second END is accepted.
s/if (s->got_end && b\[0\] == T_END)/if (0)/
