# test: tty-exit
# `exit` recognised as a prefix (issue 17): typing "exit now" ends the chat and loses the message.
/^produce(/,/^}/ s/if (n == 4 && memcmp(s->in, "exit", 4) == 0)/if (n >= 4 \&\& memcmp(s->in, "exit", 4) == 0)/
