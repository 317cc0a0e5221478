# tests/fs.sh: secchat/3's forward secrecy (issue 16). sourced by test.sh (see PARTS there); sections as in test.sh,
# each between "if sel NAME; then" and "fi".

# ---- secchat/3: a low-order EPH and a secchat/2 peer refused in both roles ----
reject c eph-low "handshake: the peer's ephemeral key is invalid - closing"
reject s eph-low "handshake: the peer's ephemeral key is invalid - closing"
sel attack-c-eph-low && expect "eph-low: the server sent no AUTH (peer.py never established)" \
    eval 'has "$T/attack-c-eph-low/p.err" "attack eph-low sent\|before the attack completed" && hasnt "$T/attack-c-eph-low/p.err" "session established"'
reject c v2 "the peer speaks secchat/2; this is secchat/3: both sides need the same version"
reject s v2 "the peer speaks secchat/2; this is secchat/3: both sides need the same version"
