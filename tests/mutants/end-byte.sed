# test: bound-fields
# END's last byte may be 1.
/^recv_close(/,/^}/ s/if (b\[9\] > (b\[0\] == T_END ? 0 : R_LOCAL))/if (b[9] > (b[0] == T_END ? 1 : R_LOCAL))/
