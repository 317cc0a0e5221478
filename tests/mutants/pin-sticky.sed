# test: bound-pinperm
# A sticky directory (/tmp) no longer excuses others' write permission.
/^safe_file(/,/^}/ s/if (others_write(&st) && !(st\.st_mode & S_ISVTX))/if (others_write(\&st))/
