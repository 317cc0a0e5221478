# test: erased
# hunks: 2
# A received message's plaintext is left in rx: neither recv_msg nor reset wipes it.
/^recv_msg(/,/^}/ s/^\tmbedtls_platform_zeroize(ct, n);$/\t(void)0;/
/^reset(/,/^}/ s/^\tmbedtls_platform_zeroize(s->rx, s->rxmax);$/\t(void)0;/
