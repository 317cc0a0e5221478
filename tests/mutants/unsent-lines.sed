# test: tty-unsent-bye
# Typed lines left unsent are not counted (issue 18, 6): the peer's BYE 0 with lines queued ends without saying so.
/^finish(/,/^}/ s/n += s->in\[i\] == '\\n';/n += 0;/
