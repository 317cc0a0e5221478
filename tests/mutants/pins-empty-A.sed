# test: bound-pinfile
# An -A file that lists nothing is accepted when -a came before it.
s/else if (ret == 0 \&\& s->npin == before)/else if (ret == 0 \&\& s->npin == 0)/
