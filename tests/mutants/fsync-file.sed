# test: rule-fsync
# drained() counts a regular file as delivered at once: no fsync before the ACK.
/^drained(/,/^}/ s/!(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode)/!(S_ISFIFO(st.st_mode)/
