# test: bound-pinfile
# A CR before the newline stays part of the fingerprint: a file written on
# Windows lists nobody it can match.
/^read_pins(/,/^}/ s/" \\t\\r\\n"/" \\t\\n"/
