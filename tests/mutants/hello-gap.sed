# test: edge-hello-rate
# No pause after a HELLO that led to no session: a man in the middle may try HELLO after HELLO.
/^serve(/,/^}/ s/if (hello && ppoll(NULL, 0, &gap, &waitmask) < 0 && got_sig)/if (0 \&\& hello \&\& ppoll(NULL, 0, \&gap, \&waitmask) < 0 \&\& got_sig)/
