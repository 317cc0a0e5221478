# test: bound-pipe-exit
# stdin always read as typed lines (as from a terminal): a line 'exit' in a pipe ends the chat.
s/^\ts->tty_in = isatty(0);/\ts->tty_in = 1;/
