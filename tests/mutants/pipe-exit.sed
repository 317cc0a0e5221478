# test: bound-pipe-exit
# stdin from a pipe split into lines as from a terminal: a line 'exit' ends the chat.
s/^\tif (s->tty_in && (nl = memchr(s->in, '\\n', s->inlen)) != NULL) {/\tif ((nl = memchr(s->in, '\\n', s->inlen)) != NULL) {/
