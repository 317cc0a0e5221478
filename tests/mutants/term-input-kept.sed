# test: tty-keep
# Pending terminal input kept when a session starts (issue 18, 5): a line typed between two sessions of -k goes to the next client.
/^run(/,/^}/ s/ioctl(0, FIONREAD, &n) == 0 && tcflush(0, TCIFLUSH) == 0 && n > 0/ioctl(0, FIONREAD, \&n) == 0 \&\& n > 0/
