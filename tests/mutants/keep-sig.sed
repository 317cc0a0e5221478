# test: bound-keep
# A -k server stopped by a signal during a handshake exits 0, as between sessions.
/^on_signal(/,/^}/ { /s->sigseen++ > 0/,/return -1;/ s/^\t\ts->status = 128 + got_sig;/\t\ts->status = s->keep ? 0 : 128 + got_sig;/; }
