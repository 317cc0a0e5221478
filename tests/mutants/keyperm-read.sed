# test: rule-keyperm
# -i refuses only a key file that group or others may read, not one they may write or execute.
/^load_key(/,/^}/ s/(st.st_mode & 077) != 0/(st.st_mode \& 044) != 0/
