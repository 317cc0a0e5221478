# test: tty-lines
# A typed line sent without its newline (issue 18, 4): a file at the other side gets "line oneline two".
/^produce(/,/^}/ s/ret = send_msg(s, s->in, n + 1);/ret = send_msg(s, s->in, n);/
