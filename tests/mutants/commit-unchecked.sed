# test: attack-c-commit-mismatch
# The server does not compare the client's HELLO with its COMMIT.
/^recv_hello(/,/^}/ s/memcmp(c, s->commit, HASH_LEN) != 0/memcmp(c, s->commit, 0) != 0/
