# tests/bounds.sh: each rule at its boundary, see tests/RULES.md (issue 17). sourced by test.sh (see PARTS there); sections as in test.sh,
# each between "if sel NAME; then" and "fi".

# bports: 8 ports for every bound-* group (taken once), BP the first: the
# groups run their sessions one after another on BP, their batches on all 8.
bports() { [ -n "${BPORT0:-}" ] || { newport; BPORT0=$PORT; PORT=$((PORT + 7)); }; BP=$BPORT0; }
# bkey: a key for -i (made once), so that no case waits for a key generation.
bkey() {
	BKEY=$T/bound-key
	[ -s "$BKEY.fp" ] || "$BIN" -g "$BKEY" > "$BKEY.fp" 2> /dev/null
	BFP=$(cat "$BKEY.fp")
}
# rc1 FILE ARGS...: secchat with ARGS, stdin empty, stderr to FILE; prints the status.
rc1() { local f=$1; shift; timeout 20 "$BIN" "$@" < /dev/null > /dev/null 2> "$f"; echo $?; }
# usage2 FILE ARGS...: ARGS are a usage error: status 2, the usage printed, no key made or read.
usage2() {
	local rc; rc=$(rc1 "$@")
	test "$rc" = 2 && has "$1" "usage:" && hasnt "$1" "generating" && hasnt "$1" "your key"
}
# parsed FILE ARGS...: ARGS were accepted; the only failure is the lookup of
# no.such.host.invalid, done after the options, -A and before any key.
parsed() {
	local rc; rc=$(rc1 "$@")
	test "$rc" = 1 && has "$1" "no.such.host.invalid" && hasnt "$1" "usage:"
}

if sel bound-options; then
# ---- each option's validation, on both sides of each bound ----
newdir bound-options; bkey; NOHOST="-c no.such.host.invalid"
i=0
for p in 0 65536 80x '' +80 -80 ' 80' '80 ' 99999999999999999999; do
	i=$((i + 1))
	expect "-p '$p': usage error (status 2), no key made" eval 'usage2 "$D/p$i.err" $NOHOST -p "$p" && has "$D/p$i.err" "invalid port"'
done
# The lowest and highest ports are taken: the connection itself is tried (and refused).
for p in 1 65535; do
	timeout 20 "$BIN" -c 127.0.0.1 -p $p -i "$BKEY" -a "$BFP" < /dev/null > /dev/null 2> "$D/p-$p.err"; RC=$?
	expect "-p $p: accepted, a connection to port $p is tried (status 1, refused)" eval 'test "$RC" = 1 && has "$D/p-$p.err" "cannot connect to 127.0.0.1 port $p: Connection refused"'
done
i=0
for b in 1024 2047 4097 2048x '' ' 2048' +2048 02048; do
	i=$((i + 1))
	expect "-b '$b': usage error (status 2), no key made" eval 'usage2 "$D/b$i.err" $NOHOST -b "$b"'
done
for b in 2048 3072 4096; do
	expect "-b $b: accepted" parsed "$D/b-$b.err" $NOHOST -b $b
done
# A fingerprint is SHA256: and 43 characters of base64 (A-Z a-z 0-9 + /), 50 in all.
B43=${BFP#SHA256:}
# afp WHAT VALUE: -a VALUE is a usage error.
afp() { local v=$2; expect "-a, $1: usage error (status 2)" eval 'usage2 "$D/a.err" $NOHOST -a "$v" && has "$D/a.err" "not a fingerprint (SHA256:...): $v$"'; }
afp "49 characters" "${BFP%?}"
afp "51 characters" "${BFP}A"
afp "50 characters ending in =" "${BFP%?}="
afp "50 characters ending in -" "${BFP%?}-"
afp "50 characters ending in ." "${BFP%?}."
afp "prefix sha256:" "sha256:$B43"
afp "prefix SHA512:" "SHA512:$B43"
afp "prefix SHA256;" "SHA256;$B43"
afp "a leading space" " $BFP"
afp "empty" ""
expect "-a with 50 characters, + and / among them: accepted" parsed "$D/a-ok.err" $NOHOST -a "SHA256:+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/A" -a "$BFP"
# Combinations: each forbidden one is a usage error and makes no key and no file.
: > "$D/g.err"
expect "no -s, -c or -g: status 2" usage2 "$D/c0.err"
expect "-s with -c 127.0.0.1: status 2" usage2 "$D/c1.err" -s -c 127.0.0.1
expect "-s with -g: status 2, no file" eval 'usage2 "$D/c2.err" -s -g "$D/g" && test ! -e "$D/g"'
expect "-c with -g: status 2, no file" eval 'usage2 "$D/c3.err" -c 127.0.0.1 -g "$D/g" && test ! -e "$D/g"'
expect "-k with -c: status 2" usage2 "$D/c4.err" -k -c 127.0.0.1
expect "-k alone: status 2" usage2 "$D/c5.err" -k
expect "-b 2048 (the default, given) with -i: status 2" usage2 "$D/c6.err" -s -i "$BKEY" -b 2048
expect "-b 4096 with -i: status 2" usage2 "$D/c7.err" -c 127.0.0.1 -b 4096 -i "$BKEY"
n=0
for extra in "-i $BKEY" "-a $BFP" "-A $BKEY.fp" "-p 1" "-v" "-k" "-s" "-c 127.0.0.1"; do
	n=$((n + 1)); rm -f "$D/g" "$D/g.pub"
	what=${extra/$BKEY/KEY}; what=${what/$BFP/FINGERPRINT}
	expect "-g with $what: status 2, no file" eval 'usage2 "$D/cg$n.err" -g "$D/g" $extra && test ! -e "$D/g" -a ! -e "$D/g.pub"'
done
expect "an argument left over: status 2" usage2 "$D/c8.err" -s -p 1 extra
# The allowed combinations.
chmod 644 "$BKEY.fp"
expect "-c with -v -p -b -a -A: accepted" parsed "$D/ok1.err" $NOHOST -v -p 1 -b 3072 -a "$BFP" -A "$BKEY.fp"
expect "-c with -i -a -A: accepted" parsed "$D/ok2.err" $NOHOST -i "$BKEY" -a "$BFP" -A "$BKEY.fp"
bports
"$BIN" -s -k -v -p "$BP" -i "$BKEY" -a "$BFP" -A "$BKEY.fp" < /dev/null > /dev/null 2> "$D/ok3.err" & SPID=$!
wait_for "$D/ok3.err" "listening on port $BP"; kill -TERM $SPID; wait_pid $SPID 10; RC=$?
expect "-s with -k -v -p -i -a -A: accepted, listens, exits 0 on SIGTERM" eval 'test "$RC" = 0 && has "$D/ok3.err" "listening on port $BP"'
"$BIN" -g "$D/g2" -b 2048 > "$D/g2.fp" 2> "$D/ok4.err"; RC=$?
expect "-g with -b 2048: accepted, status 0, both files made" test "$RC" = 0 -a -s "$D/g2" -a -s "$D/g2.pub"
expect "-g without -b: a 2048-bit key" eval 'openssl pkey -pubin -in "$BKEY.pub" -text -noout | grep -q "2048 bit"'
timeout 20 "$BIN" -c 127.0.0.1 -i "$BKEY" -a "$BFP" < /dev/null > /dev/null 2> "$D/defport.err"
expect "without -p: port 12345" has "$D/defport.err" "127.0.0.1 port 12345"
ln -s "$D/target" "$D/link"
"$BIN" -g "$D/link" > /dev/null 2> "$D/link.err"; RC=$?
expect "-g onto a symbolic link (to a file that does not exist): refused, status 1, nothing created" \
    eval 'test "$RC" = 1 -a ! -e "$D/target" -a ! -e "$D/link.pub"'
bports
"$BIN" -s -p "$BP" -i "$BKEY" -a "$BFP" < /dev/null > /dev/null 2> "$D/name.s.err" & SPID=$!
wait_for "$D/name.s.err" "listening on port"
timeout 20 "$BIN" -c localhost -v -p "$BP" -i "$BKEY" -a "$BFP" < /dev/null > /dev/null 2> "$D/name.c.err"; CRC=$?
wait_pid $SPID 10; SRC=$?
expect "-c with a name (localhost): resolved and served, both exit 0" test "$CRC" = 0 -a "$SRC" = 0
expect "-v: every frame shown, sent and received; none without -v" \
    eval 'has "$D/name.c.err" "sent COMMIT, 38 bytes: " && has "$D/name.c.err" "received HELLO, " && has "$D/name.c.err" "sent AUTH, 261 bytes: " && has "$D/name.c.err" "received BYE, " && hasnt "$D/name.s.err" " bytes: "'
"$BIN" -s -c 127.0.0.1 -h > /dev/null 2> "$D/h.err"; RC=$?
expect "-h with anything: the usage, status 0" eval 'test "$RC" = 0 && has "$D/h.err" "usage:"'

fi

if sel bound-pinfile; then
# ---- -A: each form of a line, in a real session; each refused file ----
# Each file lists the client's key in one form only: the session works only if
# that form is read right.
newdir bound-pinfile; bkey; NOHOST="-c no.such.host.invalid"
"$BIN" -g "$D/c" > "$D/c.fp" 2> /dev/null; CFP=$(cat "$D/c.fp")
printf '# clients\n\n   %s   carol, laptop\n' "$CFP" > "$D/spaces"
printf '\t%s\t# bob\n' "$CFP" > "$D/tabs"
printf '%s#bob, no space before the comment\n' "$CFP" > "$D/hash"
printf '# written on Windows\r\n%s\r\n' "$CFP" > "$D/crlf"
printf '# no newline at the end\n%s' "$CFP" > "$D/nonl"
for form in spaces tabs hash crlf nonl; do
	bports; printf 'to the server\n' > "$D/$form.in"
	"$BIN" -s -p "$BP" -i "$BKEY" -A "$D/$form" < /dev/null > "$D/$form.out" 2> "$D/$form.s.err" & SPID=$!
	wait_for "$D/$form.s.err" "listening on port"
	timeout 20 "$BIN" -c 127.0.0.1 -p "$BP" -i "$D/c" -a "$BFP" < "$D/$form.in" > /dev/null 2> "$D/$form.c.err"; CRC=$?
	wait_pid $SPID 10; SRC=$?
	expect "-A, the fingerprint in a line with $form: the listed client is served, both exit 0" \
	    eval 'test "$SRC" = 0 -a "$CRC" = 0 && cmp -s "$D/$form.out" "$D/$form.in" && has "$D/$form.s.err" "peer key: $CFP"'
done
expect "-A: the safety code line says the peer's key is pinned" has "$D/spaces.s.err" "safety code: [0-9 ]* (the peer's key is pinned)"
# -a repeated, and -a with -A: any one of them accepts.
printf '%s\n' "$BFP" > "$D/other"; chmod 644 "$D/other"
for how in "-a $BFP -a $CFP" "-A $D/other -a $CFP"; do
	bports; what=${how//$BFP/FP}; what=${what//$CFP/CLIENT}; what=${what//$D\//}
	: > "$D/how.s.err"	# the last case's "listening" must not be read as this one's
	"$BIN" -s -p "$BP" -i "$BKEY" $how < /dev/null > /dev/null 2> "$D/how.s.err" & SPID=$!
	wait_for "$D/how.s.err" "listening on port"
	timeout 20 "$BIN" -c 127.0.0.1 -p "$BP" -i "$D/c" -a "$BFP" < /dev/null > /dev/null 2> "$D/how.c.err"; CRC=$?
	wait_pid $SPID 10; SRC=$?
	expect "pins $what: the client matching the last is served, both exit 0" test "$SRC" = 0 -a "$CRC" = 0
done
: > "$D/zero"
printf '# %s\n\n   \n#\n' "$CFP" > "$D/commented"
printf 'carol %s\n' "$CFP" > "$D/word-first"
printf '%s\n%s\n' "$CFP" "${CFP%?}" > "$D/short"
printf '%s\n%sA\n' "$CFP" "$CFP" > "$D/long"
for f in zero commented; do
	expect "-A, a file that lists no fingerprint ($f): refused, status 1" \
	    eval 'test "$(rc1 "$D/$f.err" $NOHOST -A "$D/$f")" = 1 && has "$D/$f.err" "lists no fingerprint" && hasnt "$D/$f.err" no.such.host'
done
# Beside -a too: the file itself must list one, whatever else is accepted.
for how in "-a $CFP -A $D/zero" "-A $D/zero -a $CFP"; do
	what=${how//$CFP/FP}; what=${what//$D\//}
	expect "-A, a file that lists no fingerprint, with $what: refused, status 1" \
	    eval 'test "$(rc1 "$D/za.err" $NOHOST $how)" = 1 && has "$D/za.err" "zero lists no fingerprint"'
done
expect "-A, a line whose first word is not a fingerprint: refused, status 1, the line named" \
    eval 'test "$(rc1 "$D/wf.err" $NOHOST -A "$D/word-first")" = 1 && has "$D/wf.err" "word-first, line 1: not a fingerprint"'
expect "-A, a fingerprint one character short: refused, status 1, the line named" \
    eval 'test "$(rc1 "$D/short.err" $NOHOST -A "$D/short")" = 1 && has "$D/short.err" "short, line 2: not a fingerprint"'
expect "-A, a fingerprint one character long: refused, status 1, the line named" \
    eval 'test "$(rc1 "$D/long.err" $NOHOST -A "$D/long")" = 1 && has "$D/long.err" "long, line 2: not a fingerprint"'

fi

if sel bound-pinperm; then
# ---- -A: who may write the file and its directory (as ssh's authorized_keys) ----
# In a directory of its own under /tmp that user nobody can reach.
newdir bound-pinperm; bkey; NOHOST="-c no.such.host.invalid"
BD=$(mktemp -d /tmp/secchat-bound.XXXXXX); chmod 755 "$BD"
# pinf NAME FMODE DMODE [FOWNER [DOWNER]]: BD/NAME/allowed, listing a key.
pinf() {
	mkdir -p "$BD/$1"; cp "$BKEY.fp" "$BD/$1/allowed"
	chmod "$2" "$BD/$1/allowed"; chmod "$3" "$BD/$1"
	chown "${4:-0}" "$BD/$1/allowed"; chown "${5:-0}" "$BD/$1"
}
# refused NAME WHY [AS]: -A BD/NAME/allowed refused, status 1; ok NAME [AS]: accepted.
AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
refused() { test "$(rc1 "$D/$1.err" $NOHOST -A "$BD/$1/allowed")" = 1 && has "$D/$1.err" "$2" && hasnt "$D/$1.err" no.such.host; }
okfile() { parsed "$D/$1.err" $NOHOST -A "$BD/$1/allowed"; }
WF="other users may write this file" WD="other users may write its directory"
pinf f620 620 755; expect "-A file mode 0620 (group may write): refused" refused f620 "$WF"
pinf f602 602 755; expect "-A file mode 0602 (others may write): refused" refused f602 "$WF"
pinf f644 644 755; expect "-A file mode 0644: accepted" okfile f644
pinf f755 755 755; expect "-A file mode 0755 (read and execute for all): accepted" okfile f755
pinf f600 600 755; expect "-A file mode 0600: accepted" okfile f600
pinf fnob 644 755 65534; expect "-A file owned by another user (nobody), mode 0644: refused" refused fnob "$WF"
pinf d777 644 777; expect "-A file in a directory all may write, not sticky: refused" refused d777 "$WD"
pinf d757 644 757; expect "-A file in a directory others may write, not sticky: refused" refused d757 "$WD"
pinf d775 644 775; expect "-A file in a directory its group may write: refused" refused d775 "$WD"
pinf d1777 644 1777; expect "-A file in a sticky directory all may write (as /tmp): accepted" okfile d1777
pinf dnob 644 755 0 65534; expect "-A file in a directory owned by another user (nobody): refused" refused dnob "$WD"
pinf dnobs 644 1755 0 65534; expect "-A file in a sticky directory owned by another user: accepted" okfile dnobs
# A name without a slash: its directory is the current one.
pinf rel 644 777
expect "-A file given without a directory, the current one writable by all: refused" \
    eval '(cd "$BD/rel" && test "$(rc1 "$D/rel.err" $NOHOST -A allowed)" = 1) && has "$D/rel.err" "$WD"'
chmod 755 "$BD/rel"
expect "-A file given without a directory, the current one 0755: accepted" eval '(cd "$BD/rel" && parsed "$D/rel2.err" $NOHOST -A allowed)'
# Run as nobody: a root-owned file and one of its own are accepted, another user's is not.
pinf root 644 755; pinf own 644 755 65534 65534; pinf daemon 644 755 1
for f in root own daemon; do
	$AS_NOBODY "$BIN" $NOHOST -A "$BD/$f/allowed" < /dev/null > /dev/null 2> "$BD/$f.err"; eval "RC_$f=$?"
done
expect "-A as user nobody, the file owned by root: accepted" eval 'test "$RC_root" = 1 && has "$BD/root.err" no.such.host && hasnt "$BD/root.err" refused'
expect "-A as user nobody, the file and directory its own: accepted" eval 'test "$RC_own" = 1 && has "$BD/own.err" no.such.host && hasnt "$BD/own.err" refused'
expect "-A as user nobody, the file owned by user daemon: refused" eval 'test "$RC_daemon" = 1 && has "$BD/daemon.err" "$WF"'
cp "$BD"/*.err "$D/" 2>/dev/null; rm -rf "$BD"

fi

# ---- peer.py against secchat -i, many at a time (no key generation on our side) ----
# bcase ROLE ATTACK: peer.py --attack ATTACK against secchat in the other role
# (c: peer.py is the client), in the background, on one of the ports of the
# batch; secchat's stdin held open.  Results in $T/bf/ROLE-ATTACK.{rc,err,out}.
bcase() {
	local d=$T/bf f=$T/bf/$1-$2 port=$((BPORT0 + ${#BPIDS[@]}))
	mkdir -p "$d"; rm -f "$f.in"; mkfifo "$f.in"
	(
		exec 3<> "$f.in"
		case $2 in at-bye-*) rm "$f.in"; ln -s /dev/null "$f.in";; esac	# our END at once, our BYE 0 due
		if [ "$1" = c ]; then
			"$BIN" -s -p $port -i "$BKEY" < "$f.in" > "$f.out" 2> "$f.err" & pid=$!
			wait_for "$f.err" "listening on port" > /dev/null
			timeout 45 $PEER -c $port --attack "$2" --timeout 40 > "$f.p.out" 2> "$f.p.err"
			wait_pid $pid 10; echo $? > "$f.rc"
		else
			$PEER -s $port --attack "$2" --timeout 40 > "$f.p.out" 2> "$f.p.err" & pid=$!
			wait_for "$f.p.err" listening > /dev/null
			timeout 45 "$BIN" -c 127.0.0.1 -p $port -i "$BKEY" < "$f.in" > "$f.out" 2> "$f.err"; echo $? > "$f.rc"
			wait_pid $pid 10
		fi
	) 7>&- 8>&- &
	BPIDS+=($!)
}
# bsetup: the key, and no case running yet.
bsetup() { bkey; BPIDS=(); bports; }
bwait() { local p; for p in "${BPIDS[@]}"; do wait_pid "$p" 50; done; BPIDS=(); }
# bcheck ROLE ATTACK REGEX WHAT: the case ended with status 1, the reason, nothing on stdout.
bcheck() {
	local f=$T/bf/$1-$2 re=$3; LOGS="$f.err $f.p.err"
	expect "secchat -$([ "$1" = c ] && echo s || echo c), $4: status 1, '$3', no BYE, nothing delivered" \
	    eval 'test "$(cat "$f.rc" 2>/dev/null)" = 1 && grep -qaF -- "$re" "$f.err" && test ! -s "$f.out" && has "$f.p.err" "no BYE seen"'
}
# bcheck0 ROLE ATTACK WHAT: the case ended with status 0, nothing on stdout, no complaint.
bcheck0() {
	local f=$T/bf/$1-$2; LOGS="$f.err $f.p.err"
	expect "secchat -$([ "$1" = c ] && echo s || echo c), $3: not read, status 0, nothing delivered" \
	    eval 'test "$(cat "$f.rc" 2>/dev/null)" = 0 && has "$f.err" "the peer closed the conversation" && hasnt "$f.err" "protocol error" && test ! -s "$f.out" && has "$f.p.err" "; BYE seen"'
}
# bmany ROLE ATTACK REGEX WHAT...: all the cases, 8 at a time, then their checks
# (REGEX -: the frame is not read, bcheck0).
bmany() {
	local a=("$@") i j
	for ((i = 0; i < ${#a[@]}; i += 32)); do
		for ((j = i; j < i + 32 && j < ${#a[@]}; j += 4)); do bcase "${a[j]}" "${a[j+1]}"; done
		bwait
		for ((j = i; j < i + 32 && j < ${#a[@]}; j += 4)); do
			if [ "${a[j+2]}" = - ]; then bcheck0 "${a[j]}" "${a[j+1]}" "${a[j+3]}"
			else bcheck "${a[j]}" "${a[j+1]}" "${a[j+2]}" "${a[j+3]}"; fi
		done
	done
}

if sel bound-peerkey; then
# ---- the peer's key: RSA, 2048 to 4096 bits, e = 65537; the handshake frame bound ----
# (2048 bits: every session; 4096: the group largest; 1024 and e = 3: attack-*-key1024, attack-c-key-e3)
bsetup
K="peer's key has"
bmany c key2047 "$K 2047 bits" "a client key of 2047 bits" \
    s key2047 "$K 2047 bits" "a server key of 2047 bits" \
    c key4097 "$K 4097 bits" "a client key of 4097 bits" \
    s key4097 "$K 4097 bits" "a server key of 4097 bits" \
    c key-e65539 "$K a public exponent other than 65537" "a client key with e = 65539" \
    s key-e65539 "$K a public exponent other than 65537" "a server key with e = 65539" \
    c key-e2p32 "$K a public exponent other than 65537" "a client key with e = 2^32 + 65537" \
    s key-e2p32 "$K a public exponent other than 65537" "a server key with e = 2^32 + 65537" \
    c key-ec "peer's key is not an RSA key" "a client key on P-256" \
    s key-ec "peer's key is not an RSA key" "a server key on P-256" \
    c key-ed25519 "peer's key is not an RSA key" "a client key on Ed25519, a type Mbed TLS cannot parse" \
    s key-ed25519 "peer's key is not an RSA key" "a server key on Ed25519, a type Mbed TLS cannot parse" \
    c hello1024 "malformed or followed by trailing bytes" "a client HELLO of 1024 bytes, the largest handshake frame (refused for its padding)" \
    s hello1024 "malformed or followed by trailing bytes" "a server HELLO of 1024 bytes, the largest handshake frame (refused for its padding)" \
    c hello1025 "frame length 1025 out of bounds" "a client HELLO of 1025 bytes" \
    s hello1025 "frame length 1025 out of bounds" "a server HELLO of 1025 bytes"

fi

if sel bound-frames; then
# ---- each frame type in each state, both roles ----
# The expected frame of each state is what every session sends; these are the others.
bsetup
U="protocol error: unexpected"
bmany \
    c at-pre-auth "$U AUTH frame" "an AUTH before the COMMIT" \
    c at-pre-msg "$U MSG frame" "a MSG before the COMMIT" \
    c at-pre-end "$U END frame" "an END before the COMMIT" \
    c at-pre-bye "$U BYE frame" "a BYE before the COMMIT" \
    c at-pre-t0 "$U ? frame (type 0)" "a frame of type 0 before the COMMIT" \
    c at-pre-t7 "$U ? frame (type 7)" "a frame of type 7 before the COMMIT" \
    c at-pre-len0 "frame length 0 out of bounds" "a frame of length 0 before the COMMIT" \
    c at-commit-commit "$U COMMIT frame" "a second COMMIT instead of the HELLO" \
    c at-commit-auth "$U AUTH frame" "an AUTH instead of the committed HELLO" \
    c at-commit-msg "$U MSG frame" "a MSG instead of the committed HELLO" \
    c at-commit-end "$U END frame" "an END instead of the committed HELLO" \
    c at-commit-bye "$U BYE frame" "a BYE instead of the committed HELLO" \
    c at-commit-t7 "$U ? frame (type 7)" "a frame of type 7 instead of the committed HELLO" \
    c at-hello-commit "$U COMMIT frame" "a COMMIT instead of the AUTH" \
    c at-hello-hello "$U HELLO frame" "a second HELLO instead of the AUTH" \
    c at-hello-end "$U END frame" "an END instead of the AUTH" \
    c at-hello-bye "$U BYE frame" "a BYE instead of the AUTH" \
    c at-hello-t7 "$U ? frame (type 7)" "a frame of type 7 instead of the AUTH" \
    c at-open-commit "$U COMMIT frame" "a COMMIT in the session" \
    c at-open-hello "$U HELLO frame" "a HELLO in the session" \
    c at-open-t0 "$U ? frame (type 0)" "a frame of type 0 in the session" \
    c at-open-t7 "unknown frame type 7" "a signed frame of type 7 in the session" \
    c at-open-len0 "frame length 0 out of bounds" "a frame of length 0 in the session" \
    c at-end-commit "$U COMMIT frame" "a COMMIT after the peer's END" \
    c at-end-hello "$U HELLO frame" "a HELLO after the peer's END" \
    c at-end-auth "$U AUTH frame" "an AUTH after the peer's END" \
    c at-end-t7 "unknown frame type 7" "a signed frame of type 7 after the peer's END" \
    s at-commit-auth "$U AUTH frame" "an AUTH instead of the server's HELLO" \
    s at-commit-msg "$U MSG frame" "a MSG instead of the server's HELLO" \
    s at-commit-end "$U END frame" "an END instead of the server's HELLO" \
    s at-commit-bye "$U BYE frame" "a BYE instead of the server's HELLO" \
    s at-commit-t7 "$U ? frame (type 7)" "a frame of type 7 instead of the server's HELLO" \
    s at-commit-len0 "frame length 0 out of bounds" "a frame of length 0 instead of the server's HELLO" \
    s at-hello-commit "$U COMMIT frame" "a COMMIT instead of the server's AUTH" \
    s at-hello-hello "$U HELLO frame" "a second HELLO instead of the server's AUTH" \
    s at-hello-msg "$U MSG frame" "a MSG instead of the server's AUTH" \
    s at-hello-end "$U END frame" "an END instead of the server's AUTH" \
    s at-hello-bye "$U BYE frame" "a BYE instead of the server's AUTH" \
    s at-hello-t7 "$U ? frame (type 7)" "a frame of type 7 instead of the server's AUTH" \
    s at-open-commit "$U COMMIT frame" "a COMMIT in the session" \
    s at-open-hello "$U HELLO frame" "a HELLO in the session" \
    s at-open-auth "$U AUTH frame" "a second AUTH in the session" \
    s at-open-t7 "unknown frame type 7" "a signed frame of type 7 in the session" \
    s at-open-len0 "frame length 0 out of bounds" "a frame of length 0 in the session" \
    s at-end-commit "$U COMMIT frame" "a COMMIT after the peer's END" \
    s at-end-hello "$U HELLO frame" "a HELLO after the peer's END" \
    s at-end-auth "$U AUTH frame" "an AUTH after the peer's END" \
    s at-end-msg "message after the peer's END" "a MSG after the peer's END" \
    s at-end-end "a second END" "a second END" \
    s at-end-t7 "unknown frame type 7" "a signed frame of type 7 after the peer's END" \
    c at-bye-msg - "a MSG after the peer's BYE 0" \
    c at-bye-end - "an END after the peer's BYE 0" \
    c at-bye-commit - "a COMMIT after the peer's BYE 0" \
    s at-bye-msg - "a MSG after the peer's BYE 0" \
    s at-bye-bye - "a second BYE after the peer's BYE 0" \
    s at-bye-hello - "a HELLO after the peer's BYE 0"

fi

if sel bound-fields; then
# ---- each frame's exact length and fields, one byte or one value over ----
# (END one byte long: attack-c-end-long; MSG one byte over 262144: attack-c-oversize)
bsetup
bmany \
    c at-hello-authlong "AUTH of wrong length" "an AUTH one byte long" \
    s at-hello-authlong "AUTH of wrong length" "an AUTH one byte long" \
    c at-open-byelong "BYE of wrong length" "a BYE one byte long" \
    s at-open-byelong "BYE of wrong length" "a BYE one byte long" \
    c at-open-byeshort "BYE of wrong length" "a BYE one byte short" \
    c at-open-endshort "END of wrong length" "an END one byte short" \
    c at-open-msgshort "MSG of wrong length" "a MSG one byte shorter than an empty one" \
    c at-open-bye3 "BYE: invalid last byte 3" "a BYE with reason 3" \
    s at-open-bye3 "BYE: invalid last byte 3" "a BYE with reason 3" \
    c at-open-end1 "END: invalid last byte 1" "an END whose last byte is 1" \
    c at-open-ackover "BYE confirms 1 messages, we sent 0" "a BYE 0 confirming one MSG more than was sent" \
    s at-open-ackover "BYE confirms 1 messages, we sent 0" "a BYE 0 confirming one MSG more than was sent" \
    c at-open-salt20 "message 0: signature verification failed" "a MSG signed with a PSS salt of 20 bytes" \
    s at-open-salt20 "message 0: signature verification failed" "a MSG signed with a PSS salt of 20 bytes" \
    c at-open-key31 "message 0: decryption failed" "a MSG whose wrapped key is 31 bytes" \
    s at-open-key31 "message 0: decryption failed" "a MSG whose wrapped key is 31 bytes"

fi

if sel bound-keyfile; then
# ---- -i: the key in the file, on both sides of each bound (made by openssl) ----
# (the file's permissions: the issue-17 tests of -i; 2048 bits: every -i session)
newdir bound-keyfile
mk() { openssl genpkey -algorithm "$@" 2> /dev/null | openssl pkey -traditional > "$D/$k" 2> /dev/null; chmod 600 "$D/$k"; }
k=ec; mk EC -pkeyopt ec_paramgen_curve:P-256
k=ed25519; openssl genpkey -algorithm ED25519 > "$D/$k" 2> /dev/null; chmod 600 "$D/$k"	# PKCS#8: no traditional form
k=b2047; mk RSA -pkeyopt rsa_keygen_bits:2047
k=b4096; mk RSA -pkeyopt rsa_keygen_bits:4096
k=b4098; mk RSA -pkeyopt rsa_keygen_bits:4098	# openssl makes no odd size above 4096
k=e3; mk RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3
k=e65539; mk RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:65539
# -c to port 1: the key is read before the connection, which would be refused.
ikey() { test "$(rc1 "$D/$1.err" -c 127.0.0.1 -p 1 -i "$D/$1")" = 1 && has "$D/$1.err" "$2" && hasnt "$D/$1.err" "cannot connect"; }
expect "-i, an EC key: refused, status 1" ikey ec "not an RSA key"
expect "-i, an Ed25519 key (a type Mbed TLS cannot parse): refused, status 1" ikey ed25519 "not an RSA key"
expect "-i, a 2047-bit RSA key: refused, status 1" ikey b2047 "has 2047 bits"
expect "-i, a 4098-bit RSA key (the nearest openssl makes): refused, status 1" ikey b4098 "has 4098 bits"
expect "-i, e = 3: refused, status 1" ikey e3 "public exponent other than 65537"
expect "-i, e = 65539: refused, status 1" ikey e65539 "public exponent other than 65537"
bports
"$BIN" -s -p "$BP" -i "$D/b4096" < /dev/null > /dev/null 2> "$D/s.err" & SPID=$!
wait_for "$D/s.err" "listening on port"
timeout 30 $PEER -c "$BP" --send hi > /dev/null 2> "$D/p.err"; PRC=$?; wait_pid $SPID 10; SRC=$?
expect "-i, a 4096-bit RSA key: accepted, a whole session" eval 'test "$SRC" = 0 -a "$PRC" = 0 && has "$D/s.err" "your key: .* (from "'

fi

if sel bound-keep; then
# ---- -k: what each session leaves to the next ----
# The key is replaced exactly when the client's AUTH has verified: kept after
# a handshake that failed at that last step (bad-auth), replaced after one
# that passed it and failed at once (auth-twice).  stdin at end of file: every
# session starts with our END.
newdir bound-keep; bports
"$BIN" -s -k -p "$BP" < /dev/null > /dev/null 2> "$D/s.err" 7>&- 8>&- & KPID=$!
wait_for "$D/s.err" "listening on port"
timeout 30 $PEER -c "$BP" --attack bad-auth > /dev/null 2> "$D/p1.err"
wait_n "$D/s.err" "listening on port" 2
timeout 30 $PEER -c "$BP" --attack auth-twice > /dev/null 2> "$D/p2.err"
wait_n "$D/s.err" "listening on port" 3
timeout 30 $PEER -c "$BP" --send hi > /dev/null 2> "$D/p3.err"; P3=$?
wait_n "$D/s.err" "listening on port" 4
timeout 30 $PEER -c "$BP" --send again > /dev/null 2> "$D/p4.err"; P4=$?
kill -TERM $KPID; wait_pid $KPID 10; RC=$?
pk() { sed -n 's/^peer: peer key //p' "$D/$1.err"; }
expect "-k: a handshake that failed at the client's AUTH keeps the key" test -n "$(pk p1)" -a "$(pk p1)" = "$(pk p2)"
expect "-k: a session established, then broken at once, gets a new key after it" test -n "$(pk p3)" -a "$(pk p3)" != "$(pk p2)"
expect "-k: so does a whole session" test -n "$(pk p4)" -a "$(pk p4)" != "$(pk p3)" -a "$(pk p4)" != "$(pk p2)"
expect "-k, stdin at end of file: the second and third sessions start with our END too, both served (status 0)" \
    eval 'test "$P3" = 0 -a "$P4" = 0 && has "$D/p3.err" "END received" && has "$D/p4.err" "END received"'
expect "-k: SIGTERM after them: status 0" test "$RC" = 0
# Signals: between sessions status 0 (each of SIGINT, SIGHUP); during a
# handshake and during a session 128+N, a session closed with BYE 1.
bkey
for sig in INT HUP; do
	bports
	"$BIN" -s -k -p "$BP" -i "$BKEY" < /dev/null > /dev/null 2> "$D/$sig.err" 7>&- 8>&- & KPID=$!
	wait_for "$D/$sig.err" "listening on port"; kill -$sig $KPID; wait_pid $KPID 10; RC=$?
	expect "-k: SIG$sig while listening: status 0" test "$RC" = 0
done
bports
"$BIN" -s -k -p "$BP" -i "$BKEY" < /dev/null > /dev/null 2> "$D/hs.err" 7>&- 8>&- & KPID=$!
wait_for "$D/hs.err" "listening on port"
timeout 30 $PEER -c "$BP" --attack stall-handshake --timeout 20 > /dev/null 2> "$D/hs.p.err" & PP=$!
wait_for "$D/hs.err" "client connected"; kill -TERM $KPID; wait_pid $KPID 10; RC=$?; wait_pid $PP 5
expect "-k: SIGTERM during a handshake: status 143" test "$RC" = 143
bports; mkfifo "$D/c.in"; exec 8<> "$D/c.in"
"$BIN" -s -k -p "$BP" -i "$BKEY" < /dev/null > /dev/null 2> "$D/ses.err" 8>&- & KPID=$!
wait_for "$D/ses.err" "listening on port"
"$BIN" -c 127.0.0.1 -p "$BP" < "$D/c.in" > /dev/null 2> "$D/ses.c.err" 8>&- & CPID=$!
wait_for "$D/ses.err" "secure session established"; kill -TERM $KPID; wait_pid $KPID 10; RC=$?
wait_pid $CPID 10; CRC=$?; exec 8>&-
expect "-k: SIGTERM during a session: status 143, the client told (BYE 1, status 1)" \
    eval 'test "$RC" = 143 -a "$CRC" = 1 && has "$D/ses.c.err" "aborted the session: it was interrupted"'

fi

if sel bound-bye12; then
# ---- a received BYE 1 or 2 is not answered: status 1, the reason, no frame back ----
# peer.py sends a genuine BYE 1 or 2 in the session and after its END, in
# both roles, then counts every frame that comes before secchat's end of stream.
bsetup
bmany c at-open-bye1 "the peer aborted the session: it was interrupted" "a BYE 1 in the session" \
      c at-open-bye2 "the peer aborted the session: it failed locally" "a BYE 2 in the session" \
      c at-end-bye1 "the peer aborted the session: it was interrupted" "a BYE 1 after the peer's END" \
      c at-end-bye2 "the peer aborted the session: it failed locally" "a BYE 2 after the peer's END" \
      s at-open-bye1 "the peer aborted the session: it was interrupted" "a BYE 1 in the session" \
      s at-open-bye2 "the peer aborted the session: it failed locally" "a BYE 2 in the session" \
      s at-end-bye1 "the peer aborted the session: it was interrupted" "a BYE 1 after the peer's END" \
      s at-end-bye2 "the peer aborted the session: it failed locally" "a BYE 2 after the peer's END"
for f in c:s:open:1 c:s:open:2 c:s:end:1 c:s:end:2 s:c:open:1 s:c:open:2 s:c:end:1 s:c:end:2; do
	IFS=: read -r r m ph n <<< "$f"; f=$r-at-$ph-bye$n
	LOGS="$T/bf/$f.err $T/bf/$f.p.err"
	expect "secchat -$m, a BYE $n $([ $ph = open ] && echo "in the session" || echo "after the peer's END"): not answered, not one frame after it before secchat's end of stream" \
	    has "$T/bf/$f.p.err" "no BYE seen; 0 frames after the attack"
done

fi

if sel bound-byewait; then
# ---- after our BYE 0, no time limit: the peer may answer later than 5 s (our BYE 1/2's limit) ----
# peer.py (--bye-delay) never sends BYE 0 first, and holds its answer to
# secchat's BYE 0 for 6.5 s after it has read it; secchat, stdin at end of
# file, sends END at once and its BYE 0 after END both ways.
newdir bound-byewait; bports
for role in s c; do
	port=$((BP + $([ $role = s ] && echo 0 || echo 1)))
	(
		if [ $role = s ]; then
			"$BIN" -s -p $port < /dev/null > "$D/s.out" 2> "$D/s.err" & pid=$!
			wait_for "$D/s.err" "listening on port" > /dev/null
			timeout 40 $PEER -c $port --bye-delay 6.5 --timeout 30 > /dev/null 2> "$D/s.p.err"; echo $? > "$D/s.prc"
			wait_pid $pid 10; echo $? > "$D/s.rc"
		else
			$PEER -s $port --bye-delay 6.5 --timeout 30 > /dev/null 2> "$D/c.p.err" & pid=$!
			wait_for "$D/c.p.err" listening > /dev/null
			timeout 40 "$BIN" -c 127.0.0.1 -p $port < /dev/null > "$D/c.out" 2> "$D/c.err"; echo $? > "$D/c.rc"
			wait_pid $pid 10; echo $? > "$D/c.prc"
		fi
	) 7>&- 8>&- &
	BPIDS+=($!)
done
bwait
for role in s c; do
	expect "secchat -$role, the peer answers our BYE 0 6.5 s after it read it: status 0, no time limit hit" \
	    eval 'test "$(cat "$D/$role.rc")" = 0 -a "$(cat "$D/$role.prc")" = 0 && has "$D/$role.p.err" "answering BYE 0 after holding it 6.5 s" && hasnt "$D/$role.err" "could not send\|within"'
done

fi

if sel bound-forks; then
# ---- secchat never forks: strace sees only threads (the -k key thread) ----
# A -k server (its next key made on a thread during the session) and a
# client, each under strace -f: every clone has CLONE_THREAD, no fork or
# vfork; the server's key thread is the control (strace does see clones).
newdir bound-forks; bports
if [ -n "$SANITIZED" ] || ! strace -o /dev/null true 2> /dev/null; then
	skip "never forks: needs strace and a build without sanitizers"
else
	strace -f -q -e trace=clone,clone3,fork,vfork -o "$D/s.trace" "$BIN" -s -k -p "$BP" < /dev/null > /dev/null 2> "$D/s.err" 7>&- 8>&- & STR=$!
	wait_for "$D/s.err" "listening on port"
	timeout 60 strace -f -q -e trace=clone,clone3,fork,vfork -o "$D/c.trace" "$BIN" -c 127.0.0.1 -p "$BP" < /dev/null > /dev/null 2> "$D/c.err" 7>&- 8>&-; CRC=$?
	wait_n "$D/s.err" "listening on port" 2
	pkill -TERM -P "$STR"; wait_pid "$STR" 10; RC=$?
	calls() { grep -E '(^|[0-9] )(clone3?|v?fork)\(' "$1"; }
	bad() { calls "$1" | grep -v 'CLONE_THREAD'; }
	LOGS="$D/*.err $D/*.trace"
	expect "never forks, secchat -s -k: the key thread is a thread (CLONE_THREAD), status 0" \
	    eval 'test "$CRC" = 0 -a "$RC" = 0 && calls "$D/s.trace" | grep -q CLONE_THREAD'
	expect "never forks, secchat -s -k: no fork, vfork or clone without CLONE_THREAD" eval 'has "$D/s.trace" "+++ exited with 0" && test -z "$(bad "$D/s.trace")"'
	expect "never forks, secchat -c: no fork, vfork or clone without CLONE_THREAD" eval 'has "$D/c.trace" "+++ exited with 0" && test -z "$(bad "$D/c.trace")"'
fi

fi

if sel bound-ipv4; then
# ---- the server listens on IPv4 alone where the system has no IPv6 ----
# tests/nosys.c refuses every AF_INET6 socket as a kernel without IPv6 does
# (a seccomp filter: static builds too): the server must still listen, on
# IPv4, and serve a client to 127.0.0.1.  The control: the kernel lists the
# listening socket as IPv4 (/proc/net/tcp), not IPv6 as it would otherwise.
# (With IPv6, a client to ::1: tty.)
newdir bound-ipv4; bports
${CC_HOST:-cc} -o "$D/nosys" tests/nosys.c
: > "$D/s.in"
"$D/nosys" inet6 "$BIN" -s -p "$BP" < "$D/s.in" > "$D/s.out" 2> "$D/s.err" 7>&- 8>&- & SPID=$!
wait_for "$D/s.err" "listening on port\|cannot listen"
HEXP=$(printf ':%04X [0-9A-F]*:0000 0A' "$BP")
grep -q "$HEXP" /proc/net/tcp; V4=$?; grep -q "$HEXP" /proc/net/tcp6; V6=$?
printf 'over IPv4\n' > "$D/c.in"
OPORT=$PORT PORT=$BP; client "$D"; PORT=$OPORT; wait_pid $SPID 10; RC=$?
expect "no IPv6 (socket(AF_INET6) refused): the server listens on IPv4, serves a client to 127.0.0.1, both exit 0" \
    eval 'test "$RC" = 0 -a "$CRC" = 0 -a "$V4" = 0 -a "$V6" = 1 && has "$D/s.err" "listening on port $BP" && test "$(cat "$D/s.out")" = "over IPv4"'

fi

if sel bound-pipe-exit; then
# ---- stdin not a terminal is never interpreted: a line 'exit' in a pipe is data ----
newdir bound-pipe-exit; bports
printf 'before\nexit\nafter\n' > "$D/c.in"; : > "$D/s.in"
OPORT=$PORT PORT=$BP; server "$D"; client "$D"; PORT=$OPORT; wait_pid $SPID 10; RC=$?
expect "-c host < file holding a line 'exit': the line sent as data, the rest after it too, both exit 0" \
    eval 'test "$RC" = 0 -a "$CRC" = 0 && test "$(cat "$D/s.out")" = "$(printf "before\nexit\nafter")"'

fi
