# test: rule-nonce
# make_hello draws the nonce where the key is copied over it: the nonce stays zero.
/^make_hello(/,/^}/ s/mbedtls_ctr_drbg_random(&s->drbg, s->hello + 6, NONCE_LEN)/mbedtls_ctr_drbg_random(\&s->drbg, s->hello + 38, NONCE_LEN)/
