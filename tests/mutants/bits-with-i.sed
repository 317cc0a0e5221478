# test: bound-options
# -b with -i refused only when it differs from the default.
s/(o->idfile && s->bits)/(o->idfile \&\& s->bits > 2048)/
