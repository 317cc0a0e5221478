# test: bound-pinperm
# A group-writable -A file (or directory) accepted: only others' write bit checked.
/^others_write(/,/^}/ s/(st->st_mode & 022)/(st->st_mode \& 002)/
