# test: tty-wrap
# Autowrap left on while a peer row is written (issue 18, 9): a character the terminal draws wider than wcwidth() carries peer text to the start of a row.
/^show_text(/,/^}/ s/wrap_off\[\] = "\\033\[?7l"/wrap_off[] = "\\033[?7h"/
