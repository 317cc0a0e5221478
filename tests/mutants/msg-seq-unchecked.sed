# test: attack-c-replay|attack-c-skip-seq
# recv_msg without its sequence check: a replayed or dropped MSG goes unnoticed.
/^recv_msg(/,/^}/ s/if (get64(b + 1) != s->rxseq)/if (0)/
