# test: bound-byewait
# hunks: 2
# The 5 s limit of our BYE 1 or 2 applied after our BYE 0 too: a slow peer's answer cut off.
s/if (s->sent_bye > 0 && s->t_bye + BYE_WAIT < d)/if (s->sent_bye >= 0 \&\& s->t_bye + BYE_WAIT < d)/
s/if (s->sent_bye > 0 && now >= s->t_bye + BYE_WAIT)/if (s->sent_bye >= 0 \&\& now >= s->t_bye + BYE_WAIT)/
