# test: fs-record
# The GCM key of a message is SHA-256(K) without K_DIR: a recorded session
# decrypts with the key file alone (forward secrecy lost), and peer.py refuses it.
/^gcm_key(/,/^}/ s/if ((ret = sha256(g, v, 2)) == 0)/if ((ret = sha256(g, v + 1, 1)) == 0)/
