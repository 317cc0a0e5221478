# test: tty-draft
# A line of 8191 bytes (8192 with its newline, the history's size) is not kept for Up.
s/if (n > 0 \&\& n < sizeof s->hist) {/if (n > 0 \&\& n + 1 < sizeof s->hist) {/
