# test: flood
# A -k server turns a client away during a session with a FIN, not a reset:
# the client cannot tell a busy server from one of another version.
s/static const struct linger rst = { 1, 0 };/static const struct linger rst = { 0, 0 };/
