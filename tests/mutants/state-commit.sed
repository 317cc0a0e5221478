# test: bound-frames
# A COMMIT in an established session is taken, and answered with a HELLO.
/^recv_frame(/,/^}/ s/b\[0\] < T_MSG || b\[0\] == T_COMMIT ||/b[0] < T_MSG ||/
