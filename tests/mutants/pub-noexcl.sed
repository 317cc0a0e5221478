# test: rule-gpub
# -g opens FILE.pub without O_EXCL: an existing one is written over.
/^write_key(/,/^}/ s/open(pub, O_WRONLY | O_CREAT | O_EXCL | /open(pub, O_WRONLY | O_CREAT | /
