# tests/fs.sh: secchat/3's forward secrecy (issue 16). sourced by test.sh (see PARTS there); sections as in test.sh,
# each between "if sel NAME; then" and "fi".

# ---- secchat/3: a low-order EPH and a secchat/2 peer refused in both roles ----
reject c eph-low "handshake: the peer's ephemeral key is invalid - closing"
reject s eph-low "handshake: the peer's ephemeral key is invalid - closing"
sel attack-c-eph-low && expect "eph-low: the server sent no AUTH (peer.py never established)" \
    eval 'has "$T/attack-c-eph-low/p.err" "attack eph-low sent\|before the attack completed" && hasnt "$T/attack-c-eph-low/p.err" "session established"'
reject c v2 "the peer speaks secchat/2; this is secchat/3: both sides need the same version"
reject s v2 "the peer speaks secchat/2; this is secchat/3: both sides need the same version"

if sel fs-record; then
# ---- forward secrecy, on a recorded session: secchat -i FILE and peer.py in each role ----
# tests/fs.py relays the connection and records every byte; afterwards FILE
# unwraps every MSG peer.py sent to secchat, but K alone fails the GCM tag;
# SHA-256(K_DIR || K), from the Z peer.py reports, decrypts the same
# recording (the control: the recording is whole).
for role in s c; do
	newdir "fs-record-$role"; newport; RPORT=$PORT; newport
	"$BIN" -g "$D/id" > /dev/null 2> "$D/g.err"
	printf 'from secchat\n' > "$D/$role.in"; : > "$D/c.in"
	$PY tests/fs.py relay "$RPORT" "$PORT" "$D/rec" 2> "$D/r.err" & RLPID=$!
	wait_for "$D/r.err" "relay: listening"
	if [ $role = s ]; then
		server "$D" -i "$D/id"
		timeout 60 $PEER -c "$RPORT" --send "to secchat, one" --send "to secchat, two" > "$D/p.out" 2> "$D/p.err"; PRC=$?
		wait_pid $SPID; RC=$?
	else
		$PEER -s "$PORT" --send "to secchat, one" --send "to secchat, two" > "$D/p.out" 2> "$D/p.err" & PPID_=$!
		wait_for "$D/p.err" "listening"
		PORT=$RPORT client "$D" -i "$D/id"; RC=$CRC; wait_pid $PPID_; PRC=$?
	fi
	wait_pid $RLPID
	Z=$(sed -n 's/^peer: Z //p' "$D/p.err")
	LOGS="$D/*.err"
	expect "secchat/3 interop, secchat -$role -i: both exit 0, data both ways, the same safety code" \
	    eval 'test "$RC" = 0 -a "$PRC" = 0 && cmp -s "$D/p.out" "$D/$role.in" && test "$(cat "$D/$role.out")" = "to secchat, oneto secchat, two" && test -n "$(sc "$D/$role.err")" -a "$(sc "$D/$role.err")" = "$(psc "$D/p.err")"'
	$PY tests/fs.py check "$D/rec" "$D/id" $role "$Z" > "$D/check.out" 2> "$D/check.err"; FRC=$?
	LOGS="$D/*.err $D/check.out"
	expect "forward secrecy, secchat -$role -i: the key file unwraps both MSGs in the recording, K alone fails the tag, SHA-256(K_DIR || K) from Z decrypts them" \
	    eval 'test "$FRC" = 0 -a -n "$Z" && has "$D/check.err" "2 MSGs to secchat in the recording, 2 unwrapped" && test "$(cat "$D/check.out")" = "to secchat, oneto secchat, two"'
done

fi

if sel fs-ephkey; then
# ---- the -k -i server's ephemeral key: kept through failed handshakes, new after a session ----
# Six clients abandon the handshake after the server's HELLO (a second
# COMMIT), a seventh is refused after its AUTH for a low-order EPH (no Z
# exists, so the key stays); each logs the EPH it saw, as does the real
# session after them and the next failed handshake.  Bounded waits only: a
# server may space its HELLOs.
newdir fs-ephkey; newport
"$BIN" -g "$D/id" > /dev/null 2> "$D/g.err"
"$BIN" -s -k -i "$D/id" -p "$PORT" < /dev/null > /dev/null 2> "$D/s.err" 7>&- 8>&- & KPID=$!
wait_n "$D/s.err" "listening on port" 1
for i in 1 2 3 4 5 6; do
	timeout 60 $PEER -c "$PORT" --attack commit-twice --timeout 50 > /dev/null 2> "$D/a$i.err"
	wait_n "$D/s.err" "listening on port" $((i + 1))
done
timeout 60 $PEER -c "$PORT" --attack eph-low --timeout 50 > /dev/null 2> "$D/low.err"
wait_n "$D/s.err" "listening on port" 8
timeout 60 $PEER -c "$PORT" --send hello --timeout 50 > /dev/null 2> "$D/p.err"; PRC=$?
wait_n "$D/s.err" "listening on port" 9
timeout 60 $PEER -c "$PORT" --attack commit-twice --timeout 50 > /dev/null 2> "$D/a7.err"
wait_n "$D/s.err" "listening on port" 10
kill -TERM $KPID; wait_pid $KPID 10
E1=$(eph "$D/a1.err") N=$(for i in 1 2 3 4 5 6; do eph "$D/a$i.err"; done | sort -u | wc -l)
LOGS="$D/*.err"
expect "-k -i: six handshakes abandoned after the server's HELLO all saw the same EPH (7 refused in all)" \
    eval 'test -n "$E1" -a "$N" = 1 -a "$(grep -c "unexpected COMMIT" "$D/s.err")" = 7'
expect "-k -i: a handshake refused after the client's AUTH for its low-order EPH saw that EPH and left it kept" \
    eval 'test "$(eph "$D/low.err")" = "$E1" && has "$D/s.err" "the peer.s ephemeral key is invalid"'
expect "-k -i: the session after them used that EPH too" test "$PRC" = 0 -a "$(eph "$D/p.err")" = "$E1"
expect "-k -i: the next HELLO after that session has a new EPH" eval 'test -n "$(eph "$D/a7.err")" -a "$(eph "$D/a7.err")" != "$E1"'

fi

if sel fs-topbit; then
# ---- an EPH with its top bit set: RFC 7748 has the receiver ignore it ----
# peer.py sets it; secchat must compute the same Z (and so decrypt), in both roles.
for role in s c; do
	newdir "fs-topbit-$role"; newport
	printf 'from secchat\n' > "$D/$role.in"
	if [ $role = s ]; then
		server "$D"
		timeout 60 $PEER -c "$PORT" --eph-top-bit --send "to secchat" > "$D/p.out" 2> "$D/p.err"; PRC=$?
		wait_pid $SPID; RC=$?
	else
		$PEER -s "$PORT" --eph-top-bit --send "to secchat" > "$D/p.out" 2> "$D/p.err" & PPID_=$!
		wait_for "$D/p.err" "listening"
		client "$D"; RC=$CRC; wait_pid $PPID_; PRC=$?
	fi
	expect "secchat -$role and a peer whose EPH has its top bit set: both exit 0, data both ways, the same safety code" \
	    eval 'test "$RC" = 0 -a "$PRC" = 0 && test "$(cat "$D/$role.out")" = "to secchat" && cmp -s "$D/p.out" "$D/$role.in" && test -n "$(psc "$D/p.err")" -a "$(sc "$D/$role.err")" = "$(psc "$D/p.err")"'
done

fi

if sel fs-clienteph; then
# ---- a client's ephemeral key is new for every connection ----
# One connection per process: two clients with the same -i key, each to
# peer.py, which logs the EPH it was sent.
newdir fs-clienteph
"$BIN" -g "$D/id" > /dev/null 2>&1
for i in 1 2; do
	newport
	$PEER -s "$PORT" < /dev/null > /dev/null 2> "$D/p$i.err" & PPID_=$!
	wait_for "$D/p$i.err" "listening"
	timeout 60 "$BIN" -c 127.0.0.1 -p "$PORT" -i "$D/id" < /dev/null > /dev/null 2> "$D/c$i.err"
	wait_pid $PPID_
done
E1=$(eph "$D/p1.err"); E2=$(eph "$D/p2.err")
FIG="$E1 / $E2" expect "a client's EPH: two connections with the same -i key send two different ones" \
    test -n "$E1" -a -n "$E2" -a "$E1" != "$E2"

fi
