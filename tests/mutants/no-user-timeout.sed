# test: vanish
# No TCP_USER_TIMEOUT: a peer frozen with a shut window (or vanished with data unacknowledged) is waited for long past 90 s.
s/{ IPPROTO_TCP, TCP_KEEPCNT, KEEPCNT }, { IPPROTO_TCP, TCP_USER_TIMEOUT, USER_TIMEOUT },/{ IPPROTO_TCP, TCP_KEEPCNT, KEEPCNT },/
