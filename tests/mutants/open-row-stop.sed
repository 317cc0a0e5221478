# test: tty-lines
# Ctrl-Z leaves a peer row open: after fg the peer's next bytes would continue it where the shell left the cursor, at a row's start.
/^term_signals(/,/^}/ { /^\t\trow_end();$/d; }
