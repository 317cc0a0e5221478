# test: bound-peerkey|bound-keyfile
# A key of a type or curve this Mbed TLS cannot parse is called malformed, not
# "not an RSA key" (the static build has no P-256; no build has Ed25519).
/^not_rsa(/,/^}/ s/return ret == MBEDTLS_ERR_PK_UNKNOWN_PK_ALG/return 0 \&\& ret == MBEDTLS_ERR_PK_UNKNOWN_PK_ALG/
