# test: fs-ephkey
# A -k server drops its kept ephemeral key when a handshake is refused for a
# low-order EPH (no Z made): a stranger with a key of his own then makes it
# compute a new X25519 key pair per connection.
/^session_keys(/,/^}/ s/if (ret == 0)	\/\* used once/if (1)	\/* used once/
