# test: bound-options
# The port's upper bound one off: -p 65536 accepted.
s/v < 1 || v > 65535) {/v < 1 || v > 65536) {/
