# test: tty-lines
# Ctrl-L forgets to close an open peer row: the peer's next bytes would continue it at the saved place, now the top row, without a label.
/^ed_key(/,/^}/ s/s->shown = rowcol = 0;/s->shown = 0;/
