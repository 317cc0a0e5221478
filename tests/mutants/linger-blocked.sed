# test: edge-second-signal
# linger() waits with the signals blocked (as plain poll would): a second signal waits out the 5 s.
/^linger(/,/^}/ s/ppoll(&p, 1, &ts, &waitmask)/ppoll(\&p, 1, \&ts, NULL)/
