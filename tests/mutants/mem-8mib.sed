# test: attack-c-tamper-ct
# 8 MiB more resident memory per session.
/^converse(/,/^}/ s/^\ts->t_conn = now_ms();$/\ts->t_conn = now_ms();\n\t{ static char *more[64]; static int nmore; if (nmore < 64 \&\& (more[nmore] = malloc(8 << 20)) != NULL) memset(more[nmore++], 1, 8 << 20); }/
