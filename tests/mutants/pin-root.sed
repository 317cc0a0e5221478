# test: bound-pinperm
# An -A file owned by root is refused to other users.
/^others_write(/,/^}/ s/(st->st_uid != 0 && st->st_uid != geteuid())/st->st_uid != geteuid()/
