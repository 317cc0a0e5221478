# test: tty-draft
# The draft's bound removed (issue 17): a line over 4096 bytes followed by Up overflows the draft into the session.
/^ed_history(/,/^}/ s/(s->hidx == 0 && s->elen > sizeof s->draft) || //
