# test: attack-c-end-bad-sig
# END's signature is not checked (BYE's still is): a forged END truncates a transfer.
/^recv_close(/,/^}/ s/if (verify(s, b, b\[0\] == T_BYE ? 18 : 10) != 0)/if (b[0] == T_BYE \&\& verify(s, b, 18) != 0)/
