# test: bound-options
# -p without its digits-only check: "+80" and " 80" accepted.
s/ \*optarg < '0' || \*optarg > '9' ||//
