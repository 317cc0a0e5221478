# test: attack-c-key1024|attack-s-key1024
# check_key without its lower bound: 1024-bit keys accepted.
/^check_key(/,/^}/ s/bits < MINBITS || bits > MAXBITS/bits > MAXBITS/
