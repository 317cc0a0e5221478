# test: boundary
# An empty MSG (n = 0, legal) is refused as "MSG of wrong length".
s/if (len < fixed || len - fixed > MAXMSG)/if (len <= fixed || len - fixed > MAXMSG)/
