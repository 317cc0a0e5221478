# test: edge-sockout
# An error pending on a socket stdout is ignored: a reader that left with bytes unread (ECONNRESET) counts as delivered.
/^drained(/,/^}/ s/if (S_ISSOCK(st.st_mode) && (getsockopt/if (0 \&\& S_ISSOCK(st.st_mode) \&\& (getsockopt/
