# test: tty
# hunks: 3
# The terminal's plaintext never wiped: typed input (consume, reset) and the display buffer.
/^consume(/,/^}/ s/^\tmbedtls_platform_zeroize(s->in + s->inlen - n, n);$/\t(void)0;/
/^reset(/,/^}/ s/^\tmbedtls_platform_zeroize(s->in, s->inmax);$/\t(void)0;/
/^show_text(/,/^}/ s/^\tmbedtls_platform_zeroize(out, sizeof out);$/\t(void)0;/
