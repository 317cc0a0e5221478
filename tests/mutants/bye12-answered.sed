# test: bound-bye12
# A received BYE 1 or 2 is taken as a BYE 0: answered, the session closed as if agreed.
s/^\tif (b\[9\] != R_USER)\t\/\* not answered/\tif (b[9] > R_LOCAL)\t\/* not answered/
