# test: edge-sockout
# A socket stdout's send queue is not looked at: a reader that has not read yet counts as having read all.
/^drained(/,/^}/ s/	if (n == 0)$/	if (n == 0 || S_ISSOCK(st.st_mode))/
