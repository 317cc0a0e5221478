# test: tty
# Pasted lines sent as one message: the input is cut at its last newline, not its first.
/^produce(/,/^}/ s/memchr(s->in, '\\n', s->inlen)/memrchr(s->in, '\\n', s->inlen)/
