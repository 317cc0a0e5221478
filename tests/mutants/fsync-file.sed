# test: rule-fsync
# drained() counts a regular file as delivered at once: no fsync before the ACK.
/^drained(/,/^}/ s/fstat(1, &st) < 0 || !(S_ISREG(st.st_mode) ||/fstat(1, \&st) < 0 || !(/
