# test: strangers
# hunks: 2
# The server signs its AUTH on the client's HELLO, before the client's AUTH
# verified: a stranger replaying a listed key gets a signature from us.
/^recv_hello(/,/^}/ {
/^\tif (s->dir == 's')$/ {
N
s/\n\t\treturn 0;/\n\t\treturn send_auth(s);/
}
}
/^recv_auth(/,/^}/ s/if (session_keys(s) < 0 || (s->dir == 's' \&\& send_auth(s) < 0))/if (session_keys(s) < 0)/
