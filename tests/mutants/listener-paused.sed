# test: edge-port
# hunks: 2
# The -k listener is paused during a session and listens again after it (SO_REUSEADDR on all along).
/^serve(/,/^}/ s/		s->lfd = lfd;/		s->lfd = -1, shutdown(lfd, SHUT_RD);/
/^serve(/,/^}/ s/		s->lfd = -1;/		s->lfd = -1, listen(lfd, 1);/
