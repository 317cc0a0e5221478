# test: rule-after-bye
# A frame after the peer's BYE 0 taken (only one after a BYE 1 or 2 refused): read on the reset path, delivered.
/^recv_frame(/,/^}/ s/^\t    s->got_bye >= 0)\t/\t    s->got_bye > 0)\t/
