# test: attack-c-frame-over
# The frame-length bound raised by 1 KiB: the read runs past rx into tx.
s/len > (s->phase == P_OPEN ? MAXBODY : MAXHS)/len > (s->phase == P_OPEN ? MAXBODY + 1024 : MAXHS)/
