# test: bound-options
# -b with -i refused only when it differs from the default.
s/(idfile && s\.bits)/(idfile \&\& s.bits > 2048)/
