# test: peerserver
# The safety code from the wrong bytes of its hash.
/^safety_code(/,/^}/ s/c = get64(h) % 1000000000;/c = get64(h + 8) % 1000000000;/
