# test: tty
# hunks: 2
# C1 controls (U+0080-U+009F) shown raw: neither the UTF-8 check nor the width check stops them.
/^utf8_ok(/,/^}/ s/^\tif (p\[0\] == 0xc2 && n > 1 && p\[1\] < 0xa0)$/\tif (0)/
/^shown_as(/,/^}/ s/(\*w = c < 0x80 ? 1 : wcwidth/(*w = c < 0xa0 ? 1 : wcwidth/
