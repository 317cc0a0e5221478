# test: rule-gpub
# -g's cleanup removes FILE.pub even when it was not ours (the open failed).
/^write_key(/,/^}/ { /^\t\tif (pfd >= 0)$/d; }
