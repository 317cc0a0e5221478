# test: rule-options
# -p without its end check: "80x" passes, a key is made, then the listen fails (status 1).
/^parse_args(/,/^}/ s/if (errno || \*end || /if (errno || /
