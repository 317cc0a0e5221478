# test: attack-c-end-bad-seq|attack-c-bye-bad-seq
# END's and BYE's sequence numbers are not checked.
/^recv_close(/,/^}/ s/if (get64(b + 1) != s->rxseq)/if (0)/
