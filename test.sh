#!/usr/bin/env bash
# test.sh: secchat's tests.  Real processes over real loopback sockets: two
# secchats, or secchat and tests/peer.py (an independent implementation of
# secchat/3, well-behaved or hostile).  Terminal tests run secchat in tmux.
# Ends with "N passed, N failed, N skipped"; exits non-zero on any failure
# (SECCHAT_NO_SKIP=1: on any skip too).  ./test.sh GROUP... or ONLY=REGEX
# runs some groups only (./test.sh -l lists them).
set -u
cd "$(dirname "$0")" || exit 1
BIN=${SECCHAT:-$PWD/secchat}
PY=${PYTHON:-/usr/bin/python3}
PEER="$PY $PWD/tests/peer.py"
T=$(mktemp -d /tmp/secchat-test.XXXXXX)
# 256 ports a run (a whole run uses about 180), so runs side by side do not
# collide, all below the kernel's ephemeral range (32768 up): a listener
# cannot bind a port that some outgoing connection happens to hold (seen in
# CI as "Address in use").  The last test checks the run kept to its 256.
PORT=${TEST_PORT:-$((20000 + $$ % 48 * 256))} PORT0=$PORT
EPH0=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null)
if [ $((PORT + 256)) -gt "${EPH0:-32768}" ]; then
	echo "test.sh: ports $PORT to $((PORT + 255)) reach the kernel's ephemeral ports (${EPH0:-32768} up); set TEST_PORT lower" >&2
	rmdir "$T"; exit 2
fi
passed=0 failed=0 skipped=0
# Sections kept in files of their own, sourced near the end (see there).
PARTS="tests/tty.sh tests/fs.sh tests/edges.sh tests/rules.sh tests/bounds.sh"
# Selection: ./test.sh GROUP... or ONLY=REGEX runs only the groups whose
# names match (extended regex, whole name); without either, every group.
# ./test.sh -l lists the groups.  A selection that matches no group fails.
if [ "${1:-}" = -l ]; then
	sed -n 's/^if sel \([^;]*\); then$/\1/p; s/^\t*attack \([cs]\) \([^ ]*\) .*/attack-\1-\2/p; s/^reject \([cs]\) \([^ ]*\) .*/attack-\1-\2/p' "$0" $PARTS | sort -u
	exit 0
fi
SELECT=${ONLY:-}
for g in "$@"; do SELECT=${SELECT:+$SELECT|}$g; done
if [ -n "$SELECT" ] && ! "$0" -l | grep -qxE -- "$SELECT"; then
	echo "no test group matches '$SELECT' (./test.sh -l lists them)"; exit 2
fi
# sel GROUP: the group is selected.  Each section of the file below is one
# group, its body not indented, between "if sel NAME; then" and "fi".
sel() { [ -z "$SELECT" ] || [[ $1 =~ ^($SELECT)$ ]]; }
# Peak memory (KiB) a secchat may reach whatever its peer does, measured for
# secchat itself (tests/rusage.c): 2.2 to 2.8 MB are seen with Debian's
# shared Mbed TLS, 3.3 MB for the largest legal frame each way with 4096-bit
# keys on both sides, so 4 MiB; in a sanitizer build 7 to 16.5 MB, and 33 MB
# after 30 s of sending without pause, once the quarantine of freed memory
# (capped at 16 MB by make sanitize) is full, so 48 MiB.  MEMKB= overrides.
if grep -qa __asan_init "$BIN"; then SANITIZED=1 MEMKB=${MEMKB:-49152}; else SANITIZED= MEMKB=${MEMKB:-4096}; fi
# tests/rusage.c measures secchat itself (see there why not Python).
RUSAGE=$T/rusage
${CC_HOST:-cc} -O2 -o "$RUSAGE" tests/rusage.c || echo "cannot build tests/rusage.c: every memory check fails"

cleanup() {
	for sock in "$T"/*/tmux.sock; do [ -S "$sock" ] && tmux -S "$sock" kill-server 2>/dev/null; done
	pkill -P $$ 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# ok STATUS NAME [LOGS]: NAME is fixed text, the same in every run; what was
# measured goes in FIG, printed on the line after it: FIG="..." expect NAME CMD.
ok() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1)); echo "ok - $2"
	else
		failed=$((failed + 1)); echo "FAIL - $2"
	fi
	[ -n "${FIG:-}" ] && echo "    figures: $FIG"
	[ "$1" != 0 ] && [ -n "${3:-}" ] && for f in $3; do [ -f "$f" ] && sed "s|^|    $(basename "$f"): |" "$f" | tail -n 30; done
	return 0
}
# expect DESC CMD...: the command's success is the assertion.
expect() { local d=$1; shift; "$@"; ok $? "$d" "${LOGS:-}"; }

# skip WHY: a test that cannot run here.  Counted; with SECCHAT_NO_SKIP=1 (CI)
# it is a failure, so that a missing tool cannot make the run green.
skip() {
	if [ "${SECCHAT_NO_SKIP:-}" = 1 ]; then
		failed=$((failed + 1)); echo "FAIL - skipped, and SECCHAT_NO_SKIP=1: $1"
	else
		skipped=$((skipped + 1)); echo "skip - $1"
	fi
}

newport() { PORT=$((PORT + 1)); }
newdir() { D=$T/$1; mkdir -p "$D"; LOGS="$D/*.err"; }

# wait_for FILE REGEX [SECONDS]: poll until the file matches (bounded).
wait_for() {
	local i
	for ((i = 0; i < ${3:-20} * 20; i++)); do
		grep -qa -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "    (waited in vain for '$2' in $1)"
	return 1
}
# wait_pid PID [SECONDS]: wait for a background child, killing it past the limit.
wait_pid() {
	local i
	for ((i = 0; i < ${2:-30} * 20; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	# Its children too: a rusage wrapper's secchat must not outlive it.
	kill -0 "$1" 2>/dev/null && { pkill -9 -P "$1"; kill -9 "$1"; } 2>/dev/null
	wait "$1"
}
# peak FILE: the peak memory in KiB that tests/rusage.c wrote; memok FILE: under the bound.
peak() { cut -d' ' -f1 "$1" 2>/dev/null; }
memok() { local k; k=$(peak "$1"); test -n "$k" && test "$k" -lt "$MEMKB"; }
# status FILE: the exit status tests/rusage.c wrote (for children started long
# before: by then bash may have lost theirs to a new child with the same pid).
status() { local s; s=$(cut -d' ' -f4 "$1" 2>/dev/null); echo "${s:-none}"; }
# wait_n FILE REGEX N: poll until N lines of the file match (bounded, 40 s).
wait_n() {
	local i
	for ((i = 0; i < 800; i++)); do
		[ "$(grep -ca -- "$2" "$1" 2>/dev/null)" -ge "$3" ] 2>/dev/null && return 0
		sleep 0.05
	done
	echo "    (waited in vain for $3 lines '$2' in $1)"
	return 1
}
has() { grep -qa -- "$2" "$1"; }
hasnt() { ! grep -qa -- "$2" "$1"; }
fp() { sed -n "s/^secchat: $2: \(SHA256:[^ ]*\).*/\1/p" "$1"; }
# sc FILE: the safety code secchat printed; psc FILE: the one peer.py computed.
sc() { sed -n 's/^secchat: safety code: \([0-9]\{3\} [0-9]\{3\} [0-9]\{3\}\)\( .*\)\{0,1\}$/\1/p' "$1"; }
psc() { sed -n 's/^peer: safety code: //p' "$1"; }
# pubfp FILE.pub: the fingerprint as openssl computes it.
pubfp() { echo "SHA256:$(openssl pkey -pubin -in "$1" -outform DER | openssl dgst -sha256 -binary | base64 | tr -d =)"; }

# server DIR [ARGS]: secchat -s in the background, stdin from DIR/s.in, stdout to
# $SOUT or DIR/s.out, peak memory and CPU time to DIR/s.ru; sets SPID (the
# wrapper's: signals go to secchats started directly).
server() {
	local d=$1; shift
	: > "$d/s.err"	# now: the child's own truncation may come after wait_for's first look
	$RUSAGE "$d/s.ru" "$BIN" -s -p "$PORT" "$@" < "$d/s.in" > "${SOUT:-$d/s.out}" 2> "$d/s.err" 7>&- 8>&- &
	SPID=$!
	wait_for "$d/s.err" "listening on port"
}
# client DIR [ARGS]: secchat -c in the foreground with a time limit; sets CRC.
client() {
	local d=$1; shift
	timeout 60 $RUSAGE "$d/c.ru" "$BIN" -c 127.0.0.1 -p "$PORT" "$@" < "$d/c.in" > "$d/c.out" 2> "$d/c.err" 7>&- 8>&-
	CRC=$?
}

if sel usage; then
# ---- usage ----
newdir usage
"$BIN" -x > /dev/null 2> "$D/a.err"; expect "bad option: status 2 and usage" test $? = 2 -a -n "$(grep usage "$D/a.err")"
"$BIN" -s -c host 2> "$D/b.err"; expect "-s with -c: status 2" test $? = 2
"$BIN" 2> "$D/c.err"; expect "no mode: status 2" test $? = 2
"$BIN" -s -p 70000 2> "$D/d.err"; expect "port out of range: status 2" test $? = 2
"$BIN" -s extra 2> "$D/e.err"; expect "extra argument: status 2" test $? = 2
"$BIN" -h > /dev/null 2> "$D/f.err"; expect "-h: status 0 and usage" test $? = 0 -a -n "$(grep usage "$D/f.err")"

fi

if sel stall; then
# ---- stalled peers: the 30 s limits run while the other tests do ----
declare -A STALLED
for name in stall-handshake stall-midframe; do
	newdir "$name"; newport; : > "$D/s.in"
	server "$D"; STALLED[$name]=$SPID
	timeout 60 $PEER -c "$PORT" --attack "$name" --timeout 50 > "$D/p.out" 2> "$D/p.err" &
done
# A peer stalled mid-frame is caught even while we send without pause.
newdir stall-busy; newport
$PEER -s "$PORT" --attack stall-midframe --timeout 50 > /dev/null 2> "$D/p.err" &
wait_for "$D/p.err" "listening"
$RUSAGE "$D/s.ru" "$BIN" -c 127.0.0.1 -p "$PORT" < /dev/zero > /dev/null 2> "$D/s.err" & STALLED[stall-busy]=$!

fi

if sel vanish; then
# ---- a peer whose machine vanishes (about 90 s each), checked at the end ----
# In a private network namespace (unshare -rn) where nft drops every packet.
declare -A VANISH
if unshare -rn nft list ruleset > /dev/null 2>&1; then
	for mode in idle busy alive stopped; do
		newdir "vanish-$mode"; newport
		# Its status in a file: see status() (the same for valgrind's below).
		{ unshare -rn tests/vanish.sh "$BIN" $mode "$PORT" > "$D/v.out" 2>&1; echo $? > "$D/v.rc"; } 7>&- 8>&- & VANISH[$mode]=$!
	done
fi

fi

if sel valgrind; then
# ---- one whole session under valgrind on both sides, checked at the end ----
newdir valgrind; newport
VG="valgrind --leak-check=full --error-exitcode=1"
if [ -z "$SANITIZED" ] && command -v valgrind > /dev/null; then
	printf 'from the server\n' > "$D/s.in"; head -c 300000 /dev/urandom > "$D/c.in"
	{ $VG --log-file="$D/s.vg" "$BIN" -s -p "$PORT" < "$D/s.in" > "$D/s.out" 2> "$D/s.err"; echo $? > "$D/s.rc"; } & VSPID=$!
	(wait_for "$D/s.err" "listening on port" 60 > /dev/null &&
	    timeout 120 $VG --log-file="$D/c.vg" "$BIN" -c 127.0.0.1 -p "$PORT" \
	    < "$D/c.in" > "$D/c.out" 2> "$D/c.err"; echo $? > "$D/c.rc") & VCPID=$!
fi

fi

if sel keep; then
# ---- -k: three clients in a row, a hostile and a stalled one between them ----
# Runs in the background (the stall takes 30 s); checked at the end.
newdir keep; newport; KEEPPORT=$PORT; KEEPD=$D
ln -s /dev/null "$D/s.in"	# a daemon: every session starts with our END
server "$D" -k; KEEPPID=$SPID
(
	d=$KEEPD p=$KEEPPORT
	printf 'first client\n' > "$d/c1.in"; printf 'third client\n' > "$d/c3.in"
	timeout 60 "$BIN" -c 127.0.0.1 -p $p < "$d/c1.in" > "$d/c1.out" 2> "$d/c1.err"; echo $? > "$d/c1.rc"
	wait_n "$d/s.err" "listening on port" 2
	timeout 60 $PEER -c $p --attack bad-sig > /dev/null 2> "$d/p1.err"
	wait_n "$d/s.err" "listening on port" 3
	timeout 60 $PEER -c $p --attack stall-handshake --timeout 50 > /dev/null 2> "$d/p2.err"
	wait_n "$d/s.err" "listening on port" 4
	timeout 60 "$BIN" -c 127.0.0.1 -p $p < "$d/c3.in" > "$d/c3.out" 2> "$d/c3.err"; echo $? > "$d/c3.rc"
	wait_n "$d/s.err" "listening on port" 5
) 7>&- 8>&- & KEEPSEQ=$!

fi

if sel basic; then
# ---- handshake, fingerprints, messages both ways, END both ways ----
newdir basic; newport
printf 'hello from the server\n' > "$D/s.in"
printf 'hello from the client\n' > "$D/c.in"
server "$D"; client "$D"; wait_pid $SPID; SRC=$?
expect "session: both sides exit 0" test "$SRC" = 0 -a "$CRC" = 0
expect "session: server receives the client's message" cmp -s "$D/s.out" "$D/c.in"
expect "session: client receives the server's message" cmp -s "$D/c.out" "$D/s.in"
expect "fingerprints: server's key seen by the client" test -n "$(fp "$D/s.err" 'your key')" -a "$(fp "$D/s.err" 'your key')" = "$(fp "$D/c.err" 'peer key')"
expect "fingerprints: client's key seen by the server" test -n "$(fp "$D/c.err" 'your key')" -a "$(fp "$D/c.err" 'your key')" = "$(fp "$D/s.err" 'peer key')"
FIG="$(sc "$D/s.err")" expect "safety code: both sides print the same one, 9 digits" eval 'test -n "$(sc "$D/s.err")" -a "$(sc "$D/s.err")" = "$(sc "$D/c.err")"'
expect "fingerprint format: SHA256: and 43 base64 characters" test "$(fp "$D/s.err" 'your key' | grep -cE '^SHA256:[A-Za-z0-9+/]{43}$')" = 1
# "keys erased" is printed whenever a key existed: the gdb tests (erased*) check the erasure.
expect "status lines: established, then the closing line, on both sides" eval 'has "$D/s.err" "secure session established" && has "$D/c.err" "secure session established" && has "$D/s.err" "chat ended, keys erased" && has "$D/c.err" "chat ended, keys erased"'

fi

if sel halfclose; then
# ---- END half-close: a file one way, the server's stdin at end of file ----
newdir halfclose; newport
head -c 300000 /dev/urandom > "$D/c.in"; : > "$D/s.in"
server "$D"; client "$D"; wait_pid $SPID; SRC=$?
expect "half-close: -c host < file, server stdin empty: both exit 0" test "$SRC" = 0 -a "$CRC" = 0
expect "half-close: file arrives byte-exact" cmp -s "$D/c.in" "$D/s.out"
expect "half-close: nothing arrives at the client" test ! -s "$D/c.out"

fi

if sel bulk; then
# ---- 1 MiB each way at the same time ----
newdir bulk; newport
head -c 1048576 /dev/urandom > "$D/s.in"; head -c 1048576 /dev/urandom > "$D/c.in"
server "$D"; client "$D"; wait_pid $SPID; SRC=$?
expect "1 MiB each way at once: both exit 0" test "$SRC" = 0 -a "$CRC" = 0
expect "1 MiB each way at once: client to server byte-exact" cmp -s "$D/c.in" "$D/s.out"
expect "1 MiB each way at once: server to client byte-exact" cmp -s "$D/s.in" "$D/c.out"

fi

if sel boundary; then
# ---- the 262144-byte boundary, checked by the independent peer ----
for n in 262143 262144 262145; do
	newdir "boundary$n"; newport
	head -c $n /dev/urandom > "$D/s.in"; head -c $n /dev/urandom > "$D/p.in"
	server "$D"
	timeout 60 $PEER -c "$PORT" --send-file "$D/p.in" > "$D/p.out" 2> "$D/p.err"; PRC=$?
	wait_pid $SPID; SRC=$?
	expect "$n bytes each way with peer.py: both exit 0" test "$SRC" = 0 -a "$PRC" = 0
	expect "$n bytes: peer.py to secchat byte-exact" cmp -s "$D/p.in" "$D/s.out"
	expect "$n bytes: secchat to peer.py byte-exact" cmp -s "$D/s.in" "$D/p.out"
	expect "$n bytes: secchat -s shows the safety code peer.py computes from T" eval 'test -n "$(psc "$D/p.err")" -a "$(sc "$D/s.err")" = "$(psc "$D/p.err")"' 
done
# n = 0 is legal too: an empty MSG, then one that says so, each role.
newdir boundary0; newport; : > "$D/s.in"; : > "$D/c.in"
server "$D"
timeout 60 $PEER -c "$PORT" --send '' --send 'after an empty one' > /dev/null 2> "$D/p.err"; PRC=$?
wait_pid $SPID; SRC=$?
expect "an empty MSG to secchat -s: taken and counted (both exit 0), the next one delivered" \
    test "$SRC" = 0 -a "$PRC" = 0 -a "$(cat "$D/s.out")" = 'after an empty one'
newport
$PEER -s "$PORT" --send '' --send 'after an empty one' > /dev/null 2> "$D/ps.err" & PPID_=$!
wait_for "$D/ps.err" "listening"
client "$D"; wait_pid $PPID_; PRC=$?
expect "an empty MSG to secchat -c: taken and counted (both exit 0), the next one delivered" \
    test "$CRC" = 0 -a "$PRC" = 0 -a "$(cat "$D/c.out")" = 'after an empty one'

fi

if sel peerserver; then
# ---- interop with peer.py in the server role ----
newdir peerserver; newport
printf 'from secchat' > "$D/c.in"
$PEER -s "$PORT" --send 'from peer.py' > "$D/p.out" 2> "$D/p.err" & PPID_=$!
wait_for "$D/p.err" "listening"
client "$D"; wait_pid $PPID_; PRC=$?
expect "secchat -c with peer.py -s: both exit 0" test "$CRC" = 0 -a "$PRC" = 0
expect "secchat -c with peer.py -s: messages both ways" test "$(cat "$D/p.out")" = 'from secchat' -a "$(cat "$D/c.out")" = 'from peer.py'
expect "secchat -c with peer.py -s: the safety code peer.py computes from T" eval 'test -n "$(psc "$D/p.err")" -a "$(sc "$D/c.err")" = "$(psc "$D/p.err")"'
expect "secchat -c with peer.py -s: fingerprints agree" eval 'test -n "$(fp "$D/c.err" "your key")" -a "$(fp "$D/c.err" "your key")" = "$(sed -n "s/^peer: peer key //p" "$D/p.err")"'

fi

if sel late-eof; then
# ---- input that ends while the connection is idle: END still goes out ----
newdir late-eof; newport
: > "$D/s.in"; mkfifo "$D/c.in"; exec 7<> "$D/c.in"
server "$D"
"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > "$D/c.out" 2> "$D/c.err" 7>&- & CPID=$!
wait_for "$D/c.err" "peer has finished sending"	# idle: handshake and the server's END done
printf 'last words\n' >&7; exec 7>&-
wait_pid $CPID 10; CRC=$?; wait_pid $SPID 10; SRC=$?
expect "input ending on an idle connection: last message and END sent, both exit 0" eval 'test "$CRC" = 0 -a "$SRC" = 0 && has "$D/s.out" "last words"'

fi

if sel byefirst; then
# ---- the peer's BYE before all of our input was sent (pipe mode) ----
newdir byefirst; newport
mkfifo "$D/c.in"
$PEER -s "$PORT" --bye-after 0 > "$D/p.out" 2> "$D/p.err" 7>&- & PPID_=$!
wait_for "$D/p.err" "listening"
exec 7<> "$D/c.in"	# held open: our input never ends
client "$D"; exec 7>&-; wait_pid $PPID_; PRC=$?
expect "peer's BYE before our input ended: status 1 and a reason" eval 'test "$CRC" = 1 && has "$D/c.err" "before all of our input was sent"'
expect "peer's BYE before our input ended: BYE answered (peer.py exits 0)" test "$PRC" = 0

fi

if sel stdout-broken; then
# ---- a local failure: stdout closed early sends BYE reason 2 ----
newdir stdout-broken; newport
: > "$D/s.in"; mkfifo "$D/pipe"
head -c 10 < "$D/pipe" > /dev/null &
SOUT=$D/pipe server "$D"	# the server's stdout: a reader that stops after ten bytes
# The client's input never ends, so the server's BYE comes before any END of ours.
timeout 60 "$BIN" -c 127.0.0.1 -p "$PORT" < /dev/zero > /dev/null 2> "$D/c.err"; CRC=$?
wait_pid $SPID; SRC=$?
expect "stdout closed: the server says so and exits 1" eval 'test "$SRC" = 1 && has "$D/s.err" "writing to stdout"'
expect "stdout closed: the client learns of the peer's local failure, status 1" eval 'test "$CRC" = 1 && has "$D/c.err" "aborted the session: it failed locally"'

fi

if sel head; then
# ---- secchat/2: the end proves delivery ----
# A receiver whose reader stops after 1000 bytes.  50 KB go out as one
# message, written whole into the pipe: only the reader's departure with the
# bytes unread (FIONREAD) shows that they were never delivered.
for n in 50000 300000 1048576; do
	newdir "head$n"; newport
	: > "$D/s.in"; mkfifo "$D/pipe"; head -c $n /dev/urandom > "$D/c.in"
	head -c 1000 < "$D/pipe" > /dev/null &
	SOUT=$D/pipe server "$D"
	client "$D"; wait_pid $SPID; SRC=$?
	expect "receiver | head -c 1000, $n bytes sent: the sender exits 1, told the peer failed" eval 'test "$CRC" = 1 && has "$D/c.err" "aborted the session: it failed locally"'
	expect "receiver | head -c 1000, $n bytes sent: the receiver exits 1 and says why" eval 'test "$SRC" = 1 && { has "$D/s.err" "reader went away leaving [0-9]* bytes unread" || { [ $n != 50000 ] && has "$D/s.err" "writing to stdout"; }; }'
done

fi

if sel crossing; then
# The peer says exit (BYE 0) just as our message reaches it: its ACK leaves it out.
newdir crossing; newport
printf 'crossing the exit\n' > "$D/s.in"
server "$D"
timeout 60 $PEER -c "$PORT" --exit-crossing > "$D/p.out" 2> "$D/p.err"; PRC=$?
wait_pid $SPID; SRC=$?
expect "exit crossing a message: the sender exits 1, saying one message was not confirmed" eval 'test "$SRC" = 1 && has "$D/s.err" "1 of our 1 messages not confirmed by the peer"'
expect "exit crossing a message: the message still arrived, the peer exits 0" eval 'test "$PRC" = 0 && cmp -s "$D/p.out" "$D/s.in"'

fi

if sel killed; then
# The receiver is killed once it has our END: nobody confirms the data.
newdir killed; newport
mkfifo "$D/s.in"; exec 7<> "$D/s.in"; head -c 300000 /dev/urandom > "$D/c.in"
server "$D"
"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > /dev/null 2> "$D/c.err" 7>&- & CPID=$!
wait_for "$D/s.err" "peer has finished sending"; pkill -KILL -P $SPID
wait_pid $CPID; CRC=$?; wait_pid $SPID; exec 7>&-
expect "receiver killed after our END: the sender exits 1, delivery not confirmed" eval 'test "$CRC" = 1 && has "$D/c.err" "delivery not confirmed"'

fi

if sel slow; then
# A reader slower than the network: a complete transfer is not a failure.
newdir slow; newport
: > "$D/s.in"; mkfifo "$D/pipe"; head -c 600000 /dev/urandom > "$D/c.in"
$PY -c '
import os, time
while True:
    b = os.read(0, 32768)
    if not b:
        break
    os.write(1, b)
    time.sleep(0.1)' < "$D/pipe" > "$D/slow.out" & RPID=$!
SOUT=$D/pipe server "$D"
client "$D"; wait_pid $SPID; SRC=$?; wait $RPID
expect "a reader at 320 KB/s behind the receiver: both exit 0, all bytes intact" eval 'test "$CRC" = 0 -a "$SRC" = 0 && cmp -s "$D/c.in" "$D/slow.out"'

fi

if sel mitm; then
# ---- secchat/2: the safety code and a man in the middle ----
newdir mitm; newport; SPORT=$PORT; newport; MPORT=$PORT
printf 'to the client\n' > "$D/s.in"; printf 'to the server\n' > "$D/c.in"
PORT=$SPORT; server "$D"
$PY tests/mitm.py "$MPORT" "$SPORT" 2> "$D/m.err" & MPID=$!
wait_for "$D/m.err" "mitm: listening"
PORT=$MPORT; client "$D"; wait_pid $SPID; SRC=$?; wait_pid $MPID
expect "man in the middle: the chat works through the relay, which reads it" eval 'cmp -s "$D/s.out" "$D/c.in" && cmp -s "$D/c.out" "$D/s.in" && has "$D/m.err" "read 14 bytes of plaintext"'
FIG="server $(sc "$D/s.err"), client $(sc "$D/c.err")" expect "man in the middle: the two real sides print different safety codes" eval 'test -n "$(sc "$D/s.err")" -a -n "$(sc "$D/c.err")" -a "$(sc "$D/s.err")" != "$(sc "$D/c.err")"'

fi

if sel silent; then
# A client that connects and says nothing hears nothing: the server waits for its COMMIT.
newdir silent; newport; : > "$D/s.in"
server "$D"
timeout 20 $PEER -c "$PORT" --attack silent > /dev/null 2> "$D/p.err"; PRC=$?
kill -TERM $SPID 2> /dev/null; wait_pid $SPID
expect "a silent client: the server sends nothing for 1 s" eval 'test "$PRC" = 0 && has "$D/p.err" "nothing received within 1 s"'

fi

if sel strangers; then
# ---- secchat/2: no private-key work for strangers ----
# A -k -A server; 200 connections replay the listed client's public key with a
# valid COMMIT (an AUTH they cannot sign), then 200 with an unlisted key
# (refused at the pin), then the real client.  CPU time from schedstat (ns).
newdir strangers; newport
for k in s c x; do "$BIN" -g "$D/$k" > "$D/$k.fp" 2>> "$D/g.err"; done
cat "$D/c.fp" > "$D/allowed"
"$BIN" -s -k -i "$D/s" -A "$D/allowed" -p "$PORT" < /dev/null > /dev/null 2> "$D/s.err" 7>&- 8>&- & KPID=$!
cpu() { cut -d' ' -f1 "/proc/$KPID/schedstat" 2>/dev/null; }
wait_n "$D/s.err" "listening on port" 1; c0=$(cpu)
timeout 120 $PEER -c "$PORT" --replay-pub "$D/c.pub" --count 200 --timeout 110 2> "$D/r.err"; RRC=$?
wait_n "$D/s.err" "listening on port" 201; c1=$(cpu)
timeout 120 $PEER -c "$PORT" --replay-pub "$D/x.pub" --count 200 --timeout 110 2> "$D/x.err"
wait_n "$D/s.err" "listening on port" 401; c2=$(cpu)
"$BIN" -c 127.0.0.1 -p "$PORT" -i "$D/c" -a "$(cat "$D/s.fp")" < /dev/null > /dev/null 2> "$D/c.err"; CRC=$?
wait_n "$D/s.err" "listening on port" 402; c3=$(cpu)
kill -TERM $KPID; wait_pid $KPID 10
REPLAY=$(( (${c1:-0} - ${c0:-0}) / 1000 )) REFUSED=$(( (${c2:-0} - ${c1:-0}) / 1000 )) ONE=$(( (${c3:-0} - ${c2:-0}) / 1000 ))
expect "replayed key: 200 connections, not one AUTH from the server" eval 'test "$RRC" = 0 && has "$D/r.err" "200 connections with a replayed key, 0 AUTH"'
expect "replayed key: the server names the listed key only for the real client" test "$(grep -c "peer key: $(cat "$D/c.fp")" "$D/s.err")" = 1 -a "$CRC" = 0
# A real session costs the server three signatures (AUTH, END, BYE): had it
# signed for each replay, each would cost more than a sixth of the session.
FIG="200 replays $REPLAY us of CPU, 200 refused at the pin $REFUSED us, each replay $(( (REPLAY - REFUSED) / 200 )) us more; one real session $ONE us" \
    expect "replayed key: a replay costs the server under a sixth of one real session's CPU more than a key refused at the pin" \
    test "$REFUSED" -gt 0 -a $(( (REPLAY - REFUSED) / 200 )) -lt $((ONE / 6))

fi

if sel cve; then
# The warning for -i without pins on an Mbed TLS that predates the CVE-2024-23170 fix.
newdir cve; newport
VER=$("$BIN" -h 2>&1 | sed -n 's/.*on Mbed TLS //p')
older() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$1" ]; }
if older "$VER" 2.28.7 || { older 2.99 "$VER" && older "$VER" 3.5.2; }; then want=1; else want=0; fi
"$BIN" -g "$D/id" > "$D/id.fp" 2> /dev/null
"$BIN" -c 127.0.0.1 -p "$PORT" -i "$D/id" < /dev/null 2> "$D/a.err"
"$BIN" -c 127.0.0.1 -p "$PORT" -i "$D/id" -a "$(cat "$D/id.fp")" < /dev/null 2> "$D/b.err"
FIG="Mbed TLS ${VER:-?}: $([ $want = 1 ] && echo 'before the fix, warning wanted' || echo 'fixed, no warning wanted')" \
    expect "CVE-2024-23170: the warning for -i without pins shown exactly when Mbed TLS predates the fix" \
    test "$(grep -c "CVE-2024-23170.*pin your peers" "$D/a.err")" = $want
expect "CVE-2024-23170: no warning when the peer is pinned" hasnt "$D/b.err" CVE

fi

if sel busy; then
# ---- a second client is refused while a session runs; the session goes on ----
newdir busy; newport
mkfifo "$D/s.in" "$D/c.in"
exec 7<> "$D/s.in" 8<> "$D/c.in"
server "$D"
"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > "$D/c.out" 2> "$D/c.err" 7>&- 8>&- & CPID=$!
wait_for "$D/c.err" "secure session established"
timeout 20 "$BIN" -c 127.0.0.1 -p "$PORT" < /dev/null > /dev/null 2> "$D/x.err"; XRC=$?
expect "second client: refused with status 1 and a clear error" eval 'test "$XRC" = 1 && has "$D/x.err" "Connection refused"'
printf 'still here\n' >&8; wait_for "$D/s.out" "still here"
expect "second client: the session carries on" has "$D/s.out" "still here"
exec 7>&- 8>&-; wait_pid $CPID; CRC=$?; wait_pid $SPID; SRC=$?
expect "second client: the session still ends cleanly" test "$SRC" = 0 -a "$CRC" = 0

fi

if sel signals; then
# ---- SIGINT and SIGTERM during a session: BYE reason 1, status 130/143 ----
for sig in INT TERM HUP; do
	newdir "sig$sig"; newport
	mkfifo "$D/s.in" "$D/c.in"
	exec 7<> "$D/s.in" 8<> "$D/c.in"
	server "$D"
	"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > "$D/c.out" 2> "$D/c.err" 7>&- 8>&- & CPID=$!
	wait_for "$D/c.err" "secure session established"; wait_for "$D/s.err" "secure session established"
	kill -$sig $CPID; wait_pid $CPID; CRC=$?; wait_pid $SPID; SRC=$?
	exec 7>&- 8>&-
	want=$((128 + $(kill -l $sig)))
	expect "SIG$sig: client exits $want, its closing line printed" eval 'test "$CRC" = $want && has "$D/c.err" "chat ended, keys erased"'
	expect "SIG$sig: server reports the interruption, status 1" eval 'test "$SRC" = 1 && has "$D/s.err" "interrupted"'
done

fi

if sel keys; then
# ---- identity keys (-g, -i) and pinning (-a, -A) ----
newdir keys
"$BIN" -g "$D/s" > "$D/s.fp" 2> "$D/g.err"; GRC=$?
"$BIN" -g "$D/c" -b 3072 > "$D/c.fp" 2>> "$D/g.err"
SFP=$(cat "$D/s.fp") CFP=$(cat "$D/c.fp")
expect "-g: status 0, private key 0600, public key 0644" test "$GRC" = 0 -a "$(stat -c %a "$D/s")" = 600 -a "$(stat -c %a "$D/s.pub")" = 644
expect "-g: the printed fingerprint is the one openssl computes from FILE.pub" test "$SFP" = "$(pubfp "$D/s.pub")" -a "$CFP" = "$(pubfp "$D/c.pub")"
expect "-g -b 3072: a 3072-bit key" eval 'openssl pkey -pubin -in "$D/c.pub" -text -noout | grep -q "3072 bit"'
cp "$D/s" "$D/s.before"
"$BIN" -g "$D/s" > /dev/null 2> "$D/again.err"; RC=$?
expect "-g: an existing file is refused and left as it was" eval 'test "$RC" = 1 && has "$D/again.err" "File exists" && cmp -s "$D/s" "$D/s.before"'
cp "$D/s" "$D/open"; chmod 644 "$D/open"
"$BIN" -s -p "$PORT" -i "$D/open" < /dev/null 2> "$D/open.err"; RC=$?
expect "-i: a key file others can read is refused, status 1" eval 'test "$RC" = 1 && has "$D/open.err" "other users may read this private key"'
"$BIN" -c ::1 -a SHA256:tooshort 2> "$D/bad-a.err"; RC=$?
expect "-a: a malformed fingerprint is a usage error (2)" test "$RC" = 2
printf '# nobody yet\n\n' > "$D/empty"
"$BIN" -c ::1 -A "$D/empty" 2> "$D/empty.err"; RC=$?
expect "-A: a file with no fingerprint is refused, status 1" eval 'test "$RC" = 1 && has "$D/empty.err" "lists no fingerprint"'
printf '# the clients\n\n  %s   carol, laptop\n%s # bob\n' "$SFP" "$CFP" > "$D/allowed"

# pin DESC SERVER-ARGS / CLIENT-ARGS: a session between two -i keys.
pin() {
	newdir "$1"; newport
	printf 'to the client\n' > "$D/s.in"; printf 'to the server\n' > "$D/c.in"
	server "$D" -i "$T/keys/s" $2; client "$D" -i "$T/keys/c" $3; wait_pid $SPID; SRC=$?
}
pin pinned "-a $CFP" "-a $SFP"
expect "pinned both ways: right keys accepted, both exit 0" test "$SRC" = 0 -a "$CRC" = 0
expect "pinned both ways: messages delivered both ways" eval 'cmp -s "$D/s.out" "$D/c.in" && cmp -s "$D/c.out" "$D/s.in"'
expect "-i on both sides: no key generation at session start" eval 'hasnt "$D/s.err" generating && hasnt "$D/c.err" generating'
pin pinned-A "-A $T/keys/allowed" "-a $SFP"
expect "-A file with comments: the listed client is accepted" test "$SRC" = 0 -a "$CRC" = 0 -a -s "$D/s.out"
pin wrong-server "-a $CFP" "-a $CFP"
expect "client pins another key: client exits 3" test "$CRC" = 3
expect "client pins another key: warns and shows both fingerprints" eval 'has "$D/c.err" "not one you accepted: someone may be intercepting" && has "$D/c.err" "peer.s key: *$SFP" && has "$D/c.err" "you accepted: $CFP"'
expect "client pins another key: no message bytes either way, server status 1" test ! -s "$D/s.out" -a ! -s "$D/c.out" -a "$SRC" = 1
pin wrong-client "-a $SFP" ""
expect "server pins another key: server exits 3, no message bytes either way" test "$SRC" = 3 -a ! -s "$D/s.out" -a ! -s "$D/c.out" -a "$CRC" = 1
expect "server pins another key: both fingerprints shown" eval 'has "$D/s.err" "peer.s key: *$CFP" && has "$D/s.err" "you accepted: $SFP"'

fi

if sel sig-keygen; then
# A signal during key generation: SIGSTOP holds it there while the signal is sent.
newdir sig-keygen; newport
"$BIN" -s -b 4096 -p "$PORT" < /dev/null 2> "$D/s.err" & SPID=$!
wait_for "$D/s.err" "generating RSA-4096"; kill -STOP $SPID; kill -INT $SPID; kill -CONT $SPID
wait_pid $SPID 10; RC=$?
expect "SIGINT during key generation: status 130 at once, no key, no listening" eval 'test "$RC" = 130 && hasnt "$D/s.err" "key generated" && hasnt "$D/s.err" listening'
fi

if sel keep-keygen; then
# A signal while a -k server waits for the key its thread is still making:
# status 0 at once, the thread stopped.  Tried again (up to 5 servers) when
# the key happened to be ready before the short session ended.
newdir keep-keygen
RC= t0=0 t1=0	# none of the tries caught the thread at work: the test fails, not the script
for try in 1 2 3 4 5; do
	newport; rm -f "$D/s.err"
	"$BIN" -s -k -b 4096 -p "$PORT" < /dev/null > /dev/null 2> "$D/s.err" & SPID=$!
	wait_for "$D/s.err" "listening on port"
	"$BIN" -c 127.0.0.1 -p "$PORT" < /dev/null > /dev/null 2> "$D/c.err"; CRC=$?
	wait_n "$D/s.err" "waiting for the next key\|listening on port" 2
	if has "$D/s.err" "waiting for the next key"; then
		t0=$(date +%s%N); kill -TERM $SPID; wait_pid $SPID 10; RC=$?; t1=$(date +%s%N)
		hasnt "$D/s.err" "next key ready" && break
	else
		kill -TERM $SPID; wait_pid $SPID 10
	fi
done
FIG="try $try, status ${RC:-none} after $(( (t1 - t0) / 1000000 )) ms" \
    expect "-k: SIGTERM while the thread makes the next key: status 0 within 2 s, process gone" \
    eval 'test "$CRC" = 0 -a "$RC" = 0 && hasnt "$D/s.err" "next key ready" && test $(( (t1 - t0) / 1000000 )) -lt 2000 && ! kill -0 $SPID 2>/dev/null'

fi

if sel keep-back; then
# Back to back: the next key is made during the first session, so the second
# client does not wait for a key generation.
newdir keep-back; newport
$PY tests/kback.py "$BIN" "$BIN" 4096 "$PORT" 0.25 0.1 > "$D/k.out" 2> "$D/k.err"; RC=$?; LOGS="$D/k.*"
expect "-k back to back: the second client is served at once, with a new key (the next key was made during the first session)" test "$RC" = 0
sed -n 's/^# /    kback.py: /p' "$D/k.out"

fi

if sel hijack; then
# While a -k session runs, nobody else (another user either) can take the
# port; the next client after the session reaches secchat.
newdir hijack; newport
mkfifo "$D/c.in"; exec 8<> "$D/c.in"
"$BIN" -s -k -p "$PORT" < /dev/null > /dev/null 2> "$D/s.err" 8>&- & SPID=$!
wait_for "$D/s.err" "listening on port"
"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > /dev/null 2> "$D/c.err" 8>&- & CPID=$!
wait_for "$D/c.err" "secure session established"
setpriv --reuid=65534 --regid=65534 --clear-groups $PY tests/hijack.py "$PORT" > "$D/h.err" 2>&1; HRC=$?
exec 8>&-; wait_pid $CPID; CRC=$?
wait_n "$D/s.err" "listening on port" 2
"$BIN" -c 127.0.0.1 -p "$PORT" < /dev/null > /dev/null 2> "$D/c2.err"; C2RC=$?
kill -TERM $SPID; wait_pid $SPID
expect "-k: user nobody cannot bind and listen on the port during a session (SO_REUSEADDR, IPv4 and IPv6)" eval 'test "$HRC" = 0 -a "$CRC" = 0 && test "$(grep -c "Address already in use" "$D/h.err")" = 3'
expect "-k: the next client after the session reaches secchat" eval 'test "$C2RC" = 0 && has "$D/c2.err" "secure session established"'

fi

if sel keep-input; then
# Input left in a -k server's stdin pipe when a session ends is discarded.
# The server reads no input before a session is established, so what was
# written before a failed handshake is still in the pipe when it ends.
newdir keep-input; newport
mkfifo "$D/s.in" "$D/c.in"; exec 7<> "$D/s.in" 8<> "$D/c.in"
"$BIN" -s -k -p "$PORT" < "$D/s.in" > /dev/null 2> "$D/s.err" 7>&- 8>&- & SPID=$!
wait_for "$D/s.err" "listening on port"
printf 'meant for the first client\n' >&7
timeout 60 $PEER -c "$PORT" --attack commit-twice > /dev/null 2> "$D/p.err" 7>&- 8>&-
wait_n "$D/s.err" "listening on port" 2
"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > "$D/c.out" 2> "$D/c.err" 7>&- 8>&- & CPID=$!
wait_for "$D/c.err" "secure session established"
printf 'for the second client\n' >&7; wait_for "$D/c.out" "for the second client"
exec 8>&-; wait_for "$D/s.err" "peer has finished sending"; kill -TERM $SPID; wait_pid $SPID; wait_pid $CPID; exec 7>&-
expect "-k: input left in the stdin pipe after a session is discarded, not sent to the next client" eval 'hasnt "$D/c.out" "meant for the first" && has "$D/c.out" "for the second client"'

fi

if sel badhost; then
# -c resolves the name before it makes a key; a failed lookup says only that.
newdir badhost
t0=$(date +%s%N); "$BIN" -c no.such.host.invalid -b 4096 < /dev/null 2> "$D/c.err"; RC=$?; t1=$(date +%s%N)
FIG="status $RC in $(( (t1 - t0) / 1000000 )) ms" \
    expect "-c no.such.host.invalid: status 1 within 2 s, no key made, no 'keys erased'" \
    eval 'test "$RC" = 1 -a $(( (t1 - t0) / 1000000 )) -lt 2000 && hasnt "$D/c.err" generating && hasnt "$D/c.err" "keys erased" && has "$D/c.err" "no.such.host.invalid"'
"$BIN" -s -x 2> "$D/u.err"
expect "a usage error prints no 'keys erased'" hasnt "$D/u.err" "keys erased"

fi

if sel pinfile; then
# -A is checked as ssh checks authorized_keys.
newdir pinfile; newport
"$BIN" -g "$D/id" > "$D/id.fp" 2> /dev/null
cp "$D/id.fp" "$D/allowed"; chmod 666 "$D/allowed"
"$BIN" -s -p "$PORT" -A "$D/allowed" < /dev/null 2> "$D/w.err"; RC=$?
expect "-A file mode 0666: refused, status 1, with the reason" eval 'test "$RC" = 1 && has "$D/w.err" "other users may write this file"'
chmod 644 "$D/allowed"
pin_ok() { "$BIN" -c 127.0.0.1 -p "$PORT" -i "$D/id" < /dev/null > /dev/null 2> "$D/c.err"; }
"$BIN" -s -p "$PORT" -A "$D/allowed" < /dev/null > /dev/null 2> "$D/s.err" & SPID=$!
wait_for "$D/s.err" "listening on port"; pin_ok; CRC=$?; wait_pid $SPID; SRC=$?
expect "-A file mode 0644: accepted, the listed client served" test "$CRC" = 0 -a "$SRC" = 0


fi

# ---- hostile peers: a clear message, status 1, nothing forged printed ----
# attack ROLE NAME REGEX: peer.py attacks a secchat in the other role.
attack() {
	local role=$1 name=$2 re=$3
	sel "attack-$role-$name" || return 1
	WHO="secchat -s, $name"; [ "$role" = s ] && WHO="secchat -c, $name"	# test names: the role too
	newdir "attack-$role-$name"; newport
	mkfifo "$D/s.in" "$D/c.in"; exec 7<> "$D/s.in" 8<> "$D/c.in"	# inputs held open
	if [ "$role" = c ]; then
		server "$D"
		timeout 60 $PEER -c "$PORT" --attack "$name" > "$D/p.out" 2> "$D/p.err" 7>&- 8>&-
		wait_pid $SPID; RC=$?; OUT=$D/s.out; ERR=$D/s.err
	else
		$PEER -s "$PORT" --attack "$name" > "$D/p.out" 2> "$D/p.err" 7>&- 8>&- & PPID_=$!
		wait_for "$D/p.err" "listening"
		client "$D"; wait_pid $PPID_; RC=$CRC; OUT=$D/c.out; ERR=$D/c.err
	fi
	exec 7>&- 8>&-
	expect "$WHO: ends the session with status 1" test "$RC" = 1
	expect "$WHO: says why ($re)" grep -qa -- "$re" "$ERR"
	expect "$WHO: prints nothing forged" eval '! grep -qa FORGED "$OUT"'
	FIG="peak $(peak "${ERR%.err}.ru") KiB" expect "$WHO: peak memory under $MEMKB KiB" memok "${ERR%.err}.ru"
}
attack c tamper-ct "message 0: decryption failed"
attack c tamper-wrap "message 0: decryption failed"
attack c bad-sig "message 0: signature verification failed - closing (possible tampering)"
attack c replay "message 1: wrong sequence number 0"
attack c skip-seq "message 0: wrong sequence number 1"
attack c key1024 "peer's key has 1024 bits"
attack s key1024 "peer's key has 1024 bits"
attack c huge-len "frame length 4294967295 out of bounds"
attack c msg-before-auth "unexpected MSG frame"
attack c auth-twice "unexpected AUTH frame"
attack c end-then-msg "message after the peer's END"
attack c bye-bad-sig "BYE: signature verification failed"
attack c bad-reason "BYE: invalid last byte 7"
attack c len-mismatch "message 0: signature verification failed"
attack c end-long "END of wrong length"
attack c oversize "MSG of wrong length"
attack c hello-trailing "peer's public key is malformed or followed by trailing bytes"
attack c bad-version "another protocol version"
attack c key-e3 "public exponent other than 65537"
attack c key16384 "frame length .* out of bounds"
attack c end-bad-sig "END: signature verification failed - closing (possible tampering)"
attack c end-bad-seq "END: wrong sequence number 1, expected 0"
attack c bye-bad-seq "BYE: wrong sequence number 1, expected 0"
attack c end-twice "protocol error: a second END"
attack c frame-over "frame length 263194 out of bounds"
sel attack-c-replay && expect "replay: the genuine message is delivered exactly once" test "$(cat "$T/attack-c-replay/s.out" 2>/dev/null)" = "REPLAYED-ONCE"

# ---- secchat/2: handshakes refused, each with its reason, nothing delivered ----
reject() {
	attack "$@" || return 0
	expect "$WHO: nothing delivered" test ! -s "$OUT"
}
reject c commit-mismatch "the client's HELLO does not match its commitment - closing (possible tampering)"
reject c hello-first "the client's HELLO came before its COMMIT"
reject c commit33 "COMMIT of wrong length"
reject c commit35 "COMMIT of wrong length"
reject c commit-twice "unexpected COMMIT frame"
reject s server-commit "unexpected COMMIT frame"
reject c commit-v4 "the peer speaks another protocol version"
reject c v1 "the peer speaks secchat/1; this is secchat/3: both sides need the same version"
reject s v1 "the peer speaks secchat/1; this is secchat/3: both sides need the same version"
reject c bad-auth "the peer's signature does not verify - closing (possible tampering)"
reject s bad-auth "the peer's signature does not verify - closing (possible tampering)"

if sel key16384-cpu; then
# ---- a 16384-bit key is refused before any expensive work ----
# The CPU time (/proc/PID/schedstat, ns) a -k server holding a key from a file
# spends on refusing it, against what it spends on one whole session: three
# RSA private-key operations (AUTH, END, a message's key) and a few public.
newdir key16384-cpu; newport
"$BIN" -g "$D/id" > /dev/null 2> "$D/g.err"
"$BIN" -s -k -i "$D/id" -p "$PORT" < /dev/null > /dev/null 2> "$D/s.err" 7>&- 8>&- & KPID=$!
cpu() { cut -d' ' -f1 "/proc/$KPID/schedstat" 2>/dev/null; }
wait_n "$D/s.err" "listening on port" 1; c0=$(cpu)
timeout 60 $PEER -c "$PORT" --attack key16384 > /dev/null 2> "$D/p1.err"
wait_n "$D/s.err" "listening on port" 2; c1=$(cpu)
timeout 60 $PEER -c "$PORT" --send hi > /dev/null 2> "$D/p2.err"
wait_n "$D/s.err" "listening on port" 3; c2=$(cpu)
HWM=$(awk '/^VmHWM/ {print $2}' "/proc/$KPID/status")
kill -TERM $KPID; wait_pid $KPID 10; RC=$?
REJ=$(( (${c1:-0} - ${c0:-0}) / 1000 )) SES=$(( (${c2:-0} - ${c1:-0}) / 1000 ))
expect "16384-bit key: refused by its frame length, before it is read" has "$D/s.err" "frame length 2[0-9]* out of bounds"
FIG="refusing it $REJ us of CPU, a whole session $SES us" \
    expect "16384-bit key: refusing it costs less CPU than one of a whole session's three private-key operations" test "$REJ" -gt 0 -a $((REJ * 3)) -lt "$SES"
expect "16384-bit key: the -k server served the next client and exits 0 on SIGTERM" eval 'test "$RC" = 0 && has "$D/p2.err" "session closed"'
FIG="peak ${HWM:-?} KiB" expect "16384-bit key: -k server peak memory under $MEMKB KiB" test "${HWM:-$MEMKB}" -lt "$MEMKB"

fi

if sel split1; then
# ---- every frame of the peer in one-byte writes: still a whole session ----
for role in c s; do
	newdir "split1-$role"; newport
	head -c 20000 /dev/urandom > "$D/p.in"; head -c 20000 /dev/urandom > "$D/s.in"; cp "$D/s.in" "$D/c.in"
	if [ $role = c ]; then
		server "$D"
		timeout 60 $PEER -c "$PORT" --attack split1 --send-file "$D/p.in" > "$D/p.out" 2> "$D/p.err"; PRC=$?
		wait_pid $SPID; RC=$?; OUT=$D/s.out; RU=$D/s.ru
	else
		$PEER -s "$PORT" --attack split1 --send-file "$D/p.in" > "$D/p.out" 2> "$D/p.err" & PPID_=$!
		wait_for "$D/p.err" "listening"
		client "$D"; wait_pid $PPID_; PRC=$?; RC=$CRC; OUT=$D/c.out; RU=$D/c.ru
	fi
	expect "one-byte writes to secchat -$role: both exit 0" test "$RC" = 0 -a "$PRC" = 0
	expect "one-byte writes to secchat -$role: byte-exact both ways" eval 'cmp -s "$D/p.in" "$OUT" && cmp -s "$D/s.in" "$D/p.out"'
	FIG="peak $(peak "$RU") KiB" expect "one-byte writes to secchat -$role: peak memory under $MEMKB KiB" memok "$RU"
done

fi

if sel flood; then
# ---- a flood of 200 connections while a session moves 2 MB ----
# Without -k the listener is closed during the session (the kernel refuses),
# with -k each client is accepted and reset at once.
for k in "" -k; do
	newdir "flood$k"; newport
	mkfifo "$D/s.in" "$D/c.in"; exec 7<> "$D/s.in" 8<> "$D/c.in"
	head -c 2000000 /dev/urandom > "$D/data"
	server "$D" $k
	"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > "$D/c.out" 2> "$D/c.err" 7>&- 8>&- & CPID=$!
	wait_for "$D/c.err" "secure session established"
	cat "$D/data" >&8 & CAT=$!
	timeout 30 $PEER -c "$PORT" --flood 200 2> "$D/f.err"; FRC=$?
	wait $CAT; exec 7>&- 8>&-
	wait_pid $CPID; CRC=$?
	[ -n "$k" ] && wait_n "$D/s.err" "listening on port" 2 && kill -TERM $SPID
	wait_pid $SPID; SRC=$?
	LOGS="$D/*.err"
	FIG="slowest $(sed -n 's/.*slowest //p' "$D/f.err")" expect "flood${k:+ (-k)}: every one of 200 connections turned away within 1 s" test "$FRC" = 0
	expect "flood${k:+ (-k)}: the session goes on, byte-exact, both exit 0" eval 'test "$CRC" = 0 -a "$SRC" = 0 && cmp -s "$D/data" "$D/s.out"'
	FIG="peak $(peak "$D/s.ru") KiB" expect "flood${k:+ (-k)}: server peak memory under $MEMKB KiB" memok "$D/s.ru"
done


fi

# ---- the largest legal frame: 4096-bit keys on both sides, 262144 bytes ----
if sel largest; then
for role in c s; do
	newdir "largest-$role"; newport
	head -c 262144 /dev/urandom > "$D/p.in"; head -c 262144 /dev/urandom > "$D/s.in"; cp "$D/s.in" "$D/c.in"
	if [ $role = c ]; then
		server "$D" -b 4096
		timeout 60 $PEER -c "$PORT" -b 4096 --send-file "$D/p.in" > "$D/p.out" 2> "$D/p.err"; PRC=$?
		wait_pid $SPID; RC=$?; OUT=$D/s.out; RU=$D/s.ru
	else
		$PEER -s "$PORT" -b 4096 --send-file "$D/p.in" > "$D/p.out" 2> "$D/p.err" & PPID_=$!
		wait_for "$D/p.err" "listening"
		client "$D" -b 4096; wait_pid $PPID_; PRC=$?; RC=$CRC; OUT=$D/c.out; RU=$D/c.ru
	fi
	expect "largest frame ($((4 + 1 + 8 + 512 + 262144 + 16 + 512)) bytes) each way, secchat -$role: both exit 0, byte-exact" \
	    eval 'test "$RC" = 0 -a "$PRC" = 0 && cmp -s "$D/p.in" "$OUT" && cmp -s "$D/s.in" "$D/p.out"'
	FIG="peak $(peak "$RU") KiB" expect "largest frame, secchat -$role: peak memory under $MEMKB KiB" memok "$RU"
done
fi

# ---- our BYE 1 unanswered: at most 5 s more, whatever the peer does ----
# The peer holds the connection open and reads nothing.  With little to send,
# our BYE fits the socket and we wait 5 s for the peer's end of stream; with
# the peer's window full (stdin /dev/zero) the BYE cannot leave, and we give
# up after 5 s.
if sel bye-wait; then
for how in idle full; do
	newdir "bye-wait-$how"; newport
	mkfifo "$D/c.in"; exec 8<> "$D/c.in"
	[ $how = full ] && IN=/dev/zero || IN=$D/c.in
	$PEER -s "$PORT" --attack no-answer --timeout 50 > /dev/null 2> "$D/p.err" 8>&- & PPID_=$!
	wait_for "$D/p.err" "listening"
	"$BIN" -c 127.0.0.1 -p "$PORT" < "$IN" > /dev/null 2> "$D/c.err" 8>&- & CPID=$!
	wait_for "$D/p.err" "holding the connection"
	# full: wait for our send queue (Send-Q of our end, dport) to pass 1 MB,
	# the peer's window shut.  Soon after, not later: a window shut for the
	# 90 s of TCP_USER_TIMEOUT ends the connection by itself (a check that
	# once read the peer's empty queue instead waited 20 s, and on a busy
	# machine long enough for that: "status 143 after 2237 ms").
	i=0
	if [ $how = full ]; then
		for ((i = 0; i < 400; i++)); do
			q=$(ss -tnH state established "( dport = :$PORT )" 2>/dev/null | awk '{print $2; exit}')
			[ "${q:-0}" -gt 1000000 ] 2>/dev/null && break
			sleep 0.05
		done
	fi
	t0=$(date +%s%3N); kill -TERM $CPID; wait_pid $CPID 20; RC=$?; t1=$(date +%s%3N)
	exec 8>&-; kill $PPID_ 2>/dev/null; wait $PPID_ 2>/dev/null
	ms=$((t1 - t0))
	[ $how = full ] && why="could not send our BYE within 5 s" || why="interrupted: closing"
	FIG="status $RC after $ms ms" expect "SIGTERM, the peer silent ($how): status 143 after 5 s or more, under 7 s ($why)" \
	    eval 'test "$i" -lt 400 -a "$RC" = 143 -a "$ms" -ge 5000 -a "$ms" -lt 7000 && has "$D/c.err" "$why"'
done
fi

# ---- no core dumps: in a running secchat, core size 0 and not dumpable ----
# Run as user nobody: a process that is not dumpable has its /proc/PID files
# owned by root; a dumpable one (the control, sleep) by its own user.
if sel core; then
newdir core; newport
setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" -s -p "$PORT" < /dev/null > /dev/null 2> "$D/s.err" & SPID=$!
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 30 & CTL=$!
wait_for "$D/s.err" "listening on port"
LIM=$(awk '/^Max core file size/ {print $5, $6}' "/proc/$SPID/limits")
OWN=$(stat -c %U "/proc/$SPID/status") COWN=$(stat -c %U "/proc/$CTL/status")
kill $SPID $CTL; wait $SPID $CTL 2>/dev/null
FIG="soft and hard: '$LIM'" expect "core dumps: a running secchat's core size limit is 0, soft and hard" test "$LIM" = "0 0"
FIG="owner of its /proc files: $OWN, of a dumpable control's: $COWN" \
    expect "core dumps: secchat is not dumpable (its /proc files owned by root, a dumpable control's by nobody)" test "$OWN" = root -a "$COWN" = nobody
fi

# ---- keys and messages erased: the memory image at the very last moment ----
# gdb runs secchat -s -i KEY and, at a catchpoint, writes its whole memory
# (mappings excluded from core dumps too) with gcore; tests/secrets.py then
# searches it for the key's p, q, d (and the CRT values), both byte orders,
# any 32 bytes of the key file's base64, any 32 bytes of either message, and
# the session's X25519 secret Z and direction keys K_s and K_c, which the
# client, peer.py, reports, and the private key of the EPH peer.py saw.
# First a control, stopped as the received message is written to stdout,
# when all of them but Z (wiped once the direction keys are made) are in
# memory: the search must find them.
# under_gdb DIR NAME CATCH [ARGS]: CATCH is exit (exit_group), write (to
# stdout), writeN (to fd N) or usr2 (when the test sends it SIGUSR2); the
# image goes to DIR/NAME.core, gdb's log to DIR/NAME.gdb.
under_gdb() {
	local d=$1 name=$2 catch=(-ex 'catch syscall exit_group') status=(-ex 'print (int) $rdi') fd
	if [ "${3%%[0-9]*}" = write ]; then
		fd=${3#write}
		catch=(-ex 'catch syscall write' -ex "condition 1 \$rdi == ${fd:-1}") status=()
	elif [ "$3" = usr2 ]; then
		catch=(-ex 'handle SIGUSR2 stop') status=()
	fi
	shift 3
	rm -f "$d/s.out" "$d/s.err"
	# The limit is below wait_pid's, so that gdb, not a kill, ends it and its inferior.
	ASAN_OPTIONS=detect_leaks=0 timeout 25 gdb -batch -nx -ex 'set pagination off' \
	    -ex 'set confirm off' -ex 'set dump-excluded-mappings on' -ex 'set use-coredump-filter off' \
	    -ex 'handle SIGPIPE SIGINT SIGTERM SIGHUP nostop noprint pass' "${catch[@]}" \
	    -ex "run ${GDBROLE:--s -p $PORT} $* < $d/s.in > $d/s.out 2> $d/s.err" "${status[@]}" \
	    -ex "gcore $d/$name.core" -ex kill --args "$BIN" > "$d/$name.gdb" 2>&1 7>&- 8>&- &
	GPID=$!
	[ -n "${GDBROLE:-}" ] || wait_for "$d/s.err" "listening on port"
}
# zkeys PEER.ERR: Z, K_s and K_c as peer.py reported them, and the EPH it
# saw (x25519:HEX), for secrets.py.
zkeys() { sed -n 's/^peer: Z \(.*\)/Z=\1/p; s/^peer: K_s \([^ ]*\) K_c \(.*\)/K_s=\1,K_c=\2/p; s/^peer: peer EPH /x25519:/p' "$1" | paste -sd, -; }
# eph / modulus PEER.ERR: the EPH, the modulus of the key peer.py saw.
eph() { sed -n 's/^peer: peer EPH //p' "$1"; }
modulus() { sed -n 's/^peer: peer modulus //p' "$1"; }
# inferior: the pid of secchat under the under_gdb that GPID names (timeout, gdb, secchat).
inferior() { pgrep -P "$(pgrep -P $GPID)"; }
# search NAME: what secrets.py finds in NAME.core (its status; its report in
# NAME.found), the session's keys from NAME.p.err; none there is a failure.
search() {
	local z; z=$(zkeys "$D/$1.p.err")
	[ -n "$z" ] || { echo "no Z from peer.py" > "$D/$1.found"; return 2; }
	$PY tests/secrets.py "$D/$1.core" "$D/id,$z" "$D/msg_s" "$D/msg_c" > "$D/$1.found"
}
# pclient NAME [ARGS]: peer.py as the client, sending msg_c; status in CRC.
pclient() {
	local name=$1; shift
	timeout 60 $PEER -c "$PORT" --send-file "$D/msg_c" "$@" > "$D/c.out" 2> "$D/$name.p.err"; CRC=$?
}
if sel erased; then
SEARCHED="p, q, d, the key file, the messages, Z, K_s, K_c, the ephemeral key"
if [ -n "$SANITIZED" ]; then
	skip "keys erased: a sanitizer build maps terabytes of shadow memory, too much to dump"
elif ! command -v gdb > /dev/null || [ "$(uname -m)" != x86_64 ]; then
	skip "keys erased: needs gdb on x86_64 (the catchpoints read registers)"
else
	newdir erased; newport
	"$BIN" -g "$D/id" > /dev/null 2> "$D/g.err"
	head -c 48 /dev/urandom | base64 > "$D/msg_s"; head -c 48 /dev/urandom | base64 > "$D/msg_c"
	LOGS="$D/*.err $D/*.gdb $D/*.found"

	cp "$D/msg_s" "$D/s.in"; cp "$D/msg_c" "$D/c.in"
	under_gdb "$D" live write -i "$D/id"
	pclient live; wait_pid $GPID
	search live
	expect "keys erased, control: the search finds p, q, d, the message and a direction key in a live image" \
	    eval 'has "$D/live.found" "FOUND p " && has "$D/live.found" "FOUND q " && has "$D/live.found" "FOUND d " && has "$D/live.found" "FOUND message" && has "$D/live.found" "FOUND K_[sc]"'

	newport
	under_gdb "$D" clean exit -i "$D/id"
	pclient clean; wait_pid $GPID
	expect "keys erased: a clean end (status 0) at exit_group" eval 'test "$CRC" = 0 && has "$D/clean.gdb" "call to syscall exit_group" && has "$D/clean.gdb" "^\$1 = 0$" && cmp -s "$D/s.out" "$D/msg_c"'
	search clean; expect "keys erased after a clean end: none of $SEARCHED in memory" test $? = 0

	newport
	under_gdb "$D" badsig exit -i "$D/id"
	timeout 60 $PEER -c "$PORT" --attack bad-sig --send "$(cat "$D/msg_c")" > /dev/null 2> "$D/badsig.p.err"
	wait_pid $GPID
	expect "keys erased: a verification failure (status 1) at exit_group" eval 'has "$D/badsig.gdb" "^\$1 = 1$" && has "$D/s.err" "signature verification failed" && has "$D/s.out" "$(cat "$D/msg_c")"'
	search badsig; expect "keys erased after a verification failure: none of $SEARCHED in memory" test $? = 0

	newport
	rm -f "$D/s.in" "$D/c.in"; mkfifo "$D/s.in" "$D/c.in"; exec 7<> "$D/s.in" 8<> "$D/c.in"
	under_gdb "$D" sigint exit -i "$D/id"
	pclient sigint --no-end 7>&- 8>&- & CPID=$!
	cat "$D/msg_s" >&7
	wait_for "$D/s.out" "$(cat "$D/msg_c")"; wait_for "$D/c.out" "$(cat "$D/msg_s")"
	kill -INT "$(inferior)"
	wait_pid $GPID; wait_pid $CPID; exec 7>&- 8>&-
	expect "keys erased: SIGINT in a session (status 130) at exit_group" eval 'has "$D/sigint.gdb" "^\$1 = 130$" && has "$D/s.err" "interrupted"'
	search sigint; expect "keys erased after SIGINT: none of $SEARCHED in memory" test $? = 0
fi

fi

if sel erased-k; then
# A -k server with fresh keys, stopped after one session: neither the key that
# session used nor the one made on the thread during it (in use since) may be
# left.  Their moduli come from peer.py, which saw each in a HELLO; the search
# finds a key in the image by one of its primes (see tests/secrets.py).
if [ -n "$SANITIZED" ] || ! command -v gdb > /dev/null || [ "$(uname -m)" != x86_64 ]; then
	skip "keys erased, -k: needs gdb on x86_64 and a build without sanitizers"
else
	newdir erased-k; newport; : > "$D/s.in"
	LOGS="$D/*.err $D/*.gdb $D/*.found"
	under_gdb "$D" live write -k
	timeout 60 $PEER -c "$PORT" --send hello > /dev/null 2> "$D/p0.err"; wait_pid $GPID
	$PY tests/secrets.py "$D/live.core" "$(modulus "$D/p0.err")" > "$D/live.found"
	expect "keys erased, -k control: a live image holds the fresh key in use, found by its modulus" has "$D/live.found" "FOUND key 0x"

	newport; mkfifo "$D/feed"
	under_gdb "$D" keep exit -k
	exec 9<> "$D/feed"
	timeout 60 $PEER -c "$PORT" --send-file "$D/feed" > /dev/null 2> "$D/p1.err" 9>&- & P1=$!
	wait_for "$D/s.err" "next key ready"
	exec 9>&-; wait_pid $P1
	wait_n "$D/s.err" "listening on port" 2
	timeout 60 $PEER -c "$PORT" --attack commit-twice > /dev/null 2> "$D/p2.err"
	wait_n "$D/s.err" "listening on port" 3
	kill -TERM "$(inferior)"; wait_pid $GPID
	N1=$(modulus "$D/p1.err") N2=$(modulus "$D/p2.err") E1=$(eph "$D/p1.err") E2=$(eph "$D/p2.err")
	expect "keys erased, -k: stopped after one session and a failed handshake, status 0 at exit_group, two keys and two EPH seen" \
	    eval 'has "$D/keep.gdb" "^\$1 = 0$" && test -n "$N1" -a -n "$N2" -a "$N1" != "$N2" -a -n "$E1" -a -n "$E2" -a "$E1" != "$E2"'
	$PY tests/secrets.py "$D/keep.core" "$N1,$N2,x25519:$E1,x25519:$E2" > "$D/keep.found"
	expect "keys erased, -k: neither the used key nor the one made during its session, nor the session's or the kept ephemeral key, left in memory" test $? = 0

	# The control for the kept ephemeral key: an image taken while the server
	# waits for its next client after a failed handshake holds it.
	newport; : > "$D/s.err"
	under_gdb "$D" kept usr2 -k
	timeout 60 $PEER -c "$PORT" --attack commit-twice > /dev/null 2> "$D/p3.err"
	wait_n "$D/s.err" "listening on port" 2
	kill -USR2 "$(inferior)"; wait_pid $GPID
	$PY tests/secrets.py "$D/kept.core" "x25519:$(eph "$D/p3.err")" > "$D/kept.found"
	expect "keys erased, -k control: an image taken between clients holds the kept ephemeral key" \
	    has "$D/kept.found" "FOUND ephemeral key of EPH"

fi

fi

# The client role with a fresh key (no -i): peer.py, the server, names the
# key's modulus; the same live control, then the image at exit_group.
if sel erased-c; then
if [ -n "$SANITIZED" ] || ! command -v gdb > /dev/null || [ "$(uname -m)" != x86_64 ]; then
	skip "keys erased, client: needs gdb on x86_64 and a build without sanitizers"
else
	newdir erased-c
	LOGS="$D/*.err $D/*.gdb $D/*.found"
	head -c 48 /dev/urandom | base64 > "$D/msg_s"; head -c 48 /dev/urandom | base64 > "$D/msg_p"
	cp "$D/msg_s" "$D/s.in"
	for name in live clean; do
		newport
		$PEER -s "$PORT" --send "$(cat "$D/msg_p")" > "$D/$name.p.out" 2> "$D/$name.p.err" & PPID_=$!
		wait_for "$D/$name.p.err" "listening"
		GDBROLE="-c 127.0.0.1 -p $PORT" under_gdb "$D" $name $([ $name = live ] && echo write || echo exit)
		wait_pid $GPID; wait_pid $PPID_
		N=$(modulus "$D/$name.p.err") Z=$(zkeys "$D/$name.p.err")
		$PY tests/secrets.py "$D/$name.core" "$N${Z:+,$Z}" "$D/msg_s" "$D/msg_p" > "$D/$name.found"; FOUND=$?
		if [ $name = live ]; then
			expect "keys erased, client control: a live image holds the fresh key (by its modulus), the message and a direction key" \
			    eval 'test -n "$N" && has "$D/live.found" "FOUND key 0x" && has "$D/live.found" "FOUND message" && has "$D/live.found" "FOUND K_[sc]"'
		else
			expect "keys erased, client: a clean end (status 0) at exit_group, messages both ways" \
			    eval 'has "$D/clean.gdb" "^\$1 = 0$" && has "$D/s.out" "$(cat "$D/msg_p")" && cmp -s "$D/clean.p.out" "$D/msg_s"'
			expect "keys erased, client: neither the fresh key nor a message nor Z, K_s, K_c, nor its ephemeral key left in memory" \
			    test "$FOUND" = 0 -a -n "$N" -a -n "$Z"
		fi
	done
	# A handshake that fails before Z: the ephemeral key, never used, goes at exit too.
	newport
	$PEER -s "$PORT" --attack bad-auth > /dev/null 2> "$D/badauth.p.err" & PPID_=$!
	wait_for "$D/badauth.p.err" "listening"
	GDBROLE="-c 127.0.0.1 -p $PORT" under_gdb "$D" badauth exit
	wait_pid $GPID; wait_pid $PPID_
	E=$(eph "$D/badauth.p.err")
	$PY tests/secrets.py "$D/badauth.core" "x25519:$E" > "$D/badauth.found"; FOUND=$?
	expect "keys erased, client: a server's bad AUTH (status 1) at exit_group, no Z made, its ephemeral key not in memory" \
	    eval 'has "$D/badauth.gdb" "^\$1 = 1$" && has "$D/s.err" "signature does not verify" && test -n "$E" -a "$FOUND" = 0'
fi
fi

# -g: the new private key, its p, q, d and its PEM text, gone from memory at
# exit.  The control: the image as FILE.pub (fd 4) is written, the key file
# complete and the key in use.
if sel erased-g; then
if [ -n "$SANITIZED" ] || ! command -v gdb > /dev/null || [ "$(uname -m)" != x86_64 ]; then
	skip "keys erased, -g: needs gdb on x86_64 and a build without sanitizers"
else
	newdir erased-g; : > "$D/s.in"
	LOGS="$D/*.err $D/*.gdb $D/*.found"
	for name in live clean; do
		rm -f "$D/$name" "$D/$name.pub"
		GDBROLE="-g $D/$name" under_gdb "$D" "$name" $([ $name = live ] && echo write4 || echo exit)
		wait_pid $GPID
		$PY tests/secrets.py "$D/$name.core" "$D/$name" > "$D/$name.found"; FOUND=$?
	done
	expect "keys erased, -g control: an image taken as FILE.pub is written holds the new key's p, q and d" \
	    eval 'has "$D/live.found" "FOUND p " && has "$D/live.found" "FOUND q " && has "$D/live.found" "FOUND d "'
	expect "keys erased, -g: status 0 at exit_group, the key file written" \
	    eval 'has "$D/clean.gdb" "^\$1 = 0$" && test -s "$D/clean" -a -s "$D/clean.pub"'
	expect "keys erased, -g: neither p, q, d nor the PEM text of the new key in memory at exit" test "$FOUND" = 0
fi
fi

# ---- terminals: typed lines, exit, harmless display ----
# term NAME CMD: run CMD in a detached tmux window; its stderr to NAME.err, status to NAME.rc.
# Each test has its own tmux server (socket in its directory).
tm() { tmux -S "$D/tmux.sock" "$@"; }
term() {
	tm -u new-session -d -s "$1" -x 160 -y 40 \
	    "$2 2> $D/$1.err; echo \$? > $D/$1.rc; sleep 60"
}
keys() { tm send-keys -t "$1" -l -- "$2"; tm send-keys -t "$1" Enter; }
screen() { tm capture-pane -p -t "$1" > "$D/$1.screen"; cat "$D/$1.screen"; }

if sel tty; then
for closer in srv cli; do
	newdir "tty-$closer"; newport
	term srv "$BIN -s -p $PORT"; wait_for "$D/srv.err" "listening"
	term cli "$BIN -c ::1 -p $PORT"
	wait_for "$D/cli.err" "secure session established"; wait_for "$D/srv.err" "secure session established"
	keys cli "hello from the client terminal"
	for i in $(seq 200); do screen srv | grep -q "peer> hello from the client terminal" && break; sleep 0.05; done
	keys srv "hello from the server terminal"
	for i in $(seq 200); do screen cli | grep -q "peer> hello from the server terminal" && break; sleep 0.05; done
	LOGS="$D/*.err $D/*.screen"
	expect "terminal ($closer closes): typed line shown on the server" grep -q "^peer> hello from the client terminal$" "$D/srv.screen"
	expect "terminal ($closer closes): typed line shown on the client" grep -q "^peer> hello from the server terminal$" "$D/cli.screen"
	if [ $closer = cli ]; then	# pasted lines: each one a message, all sent at once
		tm send-keys -t cli "line one" Enter "line two" Enter "line three" Enter
		for i in $(seq 200); do screen srv | grep -q "peer> line three" && break; sleep 0.05; done
		expect "terminal: three pasted lines arrive as three messages" test "$(grep -c '^peer> line ' "$D/srv.screen")" = 3
	fi
	keys $closer exit
	wait_for "$D/srv.rc" . 15; wait_for "$D/cli.rc" . 15
	expect "terminal: 'exit' on the $closer side ends both with status 0" test "$(cat "$D/srv.rc" 2>/dev/null)" = 0 -a "$(cat "$D/cli.rc" 2>/dev/null)" = 0
	expect "terminal ($closer closes): the closing line on both sides" eval 'has "$D/srv.err" "chat ended, keys erased" && has "$D/cli.err" "chat ended, keys erased"'
	tm kill-server 2>/dev/null
done

fi

if sel tty-inject; then
# A peer in pipe mode sends escape sequences and UTF-8 to a terminal.
newdir tty-inject; newport
printf 'A\033]0;owned\007B\033[2JC\033[31mD\rE\000F\377GH\302\200\302\233\302\237I caf\303\251 \344\270\255 \360\237\231\202\n' > "$D/p.in"
$PEER -s "$PORT" --send-file "$D/p.in" --no-end > /dev/null 2> "$D/p.err" & PPID_=$!
wait_for "$D/p.err" "listening"
term cli "$BIN -c 127.0.0.1 -p $PORT"
for i in $(seq 100); do screen cli | grep -q "^peer> " && break; sleep 0.05; done
expect "terminal injection: escapes shown as visible text" grep -qF 'peer> A^[]0;owned^GB^[[2JC^[[31mD^ME^@F\xffG' "$D/cli.screen"
expect "terminal injection: C1 controls (U+0080, U+009B CSI, U+009F) shown as bytes" grep -qF 'GH\xc2\x80\xc2\x9b\xc2\x9fI' "$D/cli.screen"
expect "terminal injection: UTF-8 intact" grep -qF "café 中 🙂" "$D/cli.screen"
keys cli exit; wait_for "$D/cli.rc" . 15
kill $PPID_ 2>/dev/null; wait $PPID_ 2>/dev/null
tm kill-server 2>/dev/null

fi

if sel tty-keygen; then
# Key generation on a terminal says that it works and how long it took.
newdir tty-keygen
tm -u new-session -d -s g -x 160 -y 10 "$BIN -g $D/k -b 4096; echo \$? > $D/g.rc; sleep 60"
wait_for "$D/g.rc" . 60; screen g > /dev/null; LOGS="$D/g.screen"
expect "terminal: key generation shows progress, then its time" grep -qE '^secchat: generating RSA-4096 key\.\.\.\.* [0-9]+\.[0-9] s$' "$D/g.screen"
tm kill-server 2>/dev/null

fi

# The sections of tests/*.sh named in PARTS, each file one area.
for f in $PARTS; do . "$f"; done

if sel keep; then
# ---- -k, started at the top: SIGTERM once the fourth session is over ----
D=$KEEPD; LOGS="$D/*.err"
wait_pid $KEEPSEQ 60
kill -TERM $KEEPPID; wait_pid $KEEPPID 10 2> /dev/null; RC=$(status "$KEEPD/s.ru")
expect "-k: first client served (status 0, its line delivered, our END at once)" eval 'test "$(cat "$D/c1.rc")" = 0 && has "$D/s.out" "first client" && test ! -s "$D/c1.out" && has "$D/c1.err" "finished sending"'
expect "-k: the bad signature ends only its own session" has "$D/s.err" "signature verification failed"
expect "-k: the stalled client is dropped after 30 s" has "$D/s.err" "handshake did not complete"
expect "-k: third client served after them (status 0, delivered)" eval 'test "$(cat "$D/c3.rc")" = 0 && has "$D/s.out" "third client"'
mapfile -t KEYS < <(fp "$D/s.err" "your key")
expect "-k: a new key after each established session, none after the stalled one" eval 'test ${#KEYS[@]} = 4 -a "$(printf "%s\n" "${KEYS[@]}" | sort -u | wc -l)" = 4 && test "$(fp "$D/c1.err" "peer key")" = "${KEYS[0]}" -a "$(fp "$D/c3.err" "peer key")" = "${KEYS[2]}"'
expect "-k: SIGTERM while idle ends the server with status 0, its closing line printed" eval 'test "$RC" = 0 && has "$D/s.err" "chat ended, keys erased"'

fi

if sel stall; then
# ---- the stalled peers, started at the top ----
for name in stall-handshake stall-midframe stall-busy; do
	D=$T/$name; LOGS="$D/*.err"
	wait_pid "${STALLED[$name]}" 45 2> /dev/null; RC=$(status "$D/s.ru")
	re=$([ $name = stall-handshake ] && echo "handshake did not complete within 30 s" || echo "stalled in the middle of a frame for 30 s")
	expect "$name: secchat gives up with status 1 ($re)" eval 'test "$RC" = 1 && has "$D/s.err" "$re"'
	# peer.py measures from the event the limit names: its connection
	# (handshake) or the last byte it sent (mid-frame); 30 s less 100 ms, as
	# secchat counts whole ms and the two processes see the connection at
	# moments a scheduling delay apart.
	ms=$(sed -n 's/^peer: closed after \([0-9]*\)\.\([0-9]*\) s$/\1\2/p' "$D/p.err")
	FIG="peer.py $(sed -n 's/^peer: closed/closed/p' "$D/p.err")" \
	    expect "$name: gave up 30 s after the connection or the peer's last byte, under 33 s" \
	    eval 'test -n "$ms" && test "$((10#$ms))" -ge 29900 -a "$((10#$ms))" -lt 33000'
	FIG="peak $(peak "$D/s.ru") KiB" expect "$name: peak memory under $MEMKB KiB" memok "$D/s.ru"
done

fi

if sel vanish; then
for mode in idle busy alive stopped; do
	D=$T/vanish-$mode; LOGS="$D/v.out"
	if [ -z "${VANISH[$mode]:-}" ]; then
		skip "vanished peer ($mode): needs unshare -rn and nft (nftables)"
		continue
	fi
	wait_pid "${VANISH[$mode]}" 160 2> /dev/null; RC=$(cat "$D/v.rc" 2> /dev/null)
	case $mode in
	alive) expect "an idle live peer (alive): the session kept through 95 s of silence, then a line each way, both exit 0" test "$RC" = 0;;
	stopped) expect "a peer frozen with SIGSTOP while we send (stopped): the client gives up within 130 s, status 1, connection timed out" test "$RC" = 0;;
	*) expect "a vanished peer ($mode): the client gives up within 130 s, status 1, connection timed out" test "$RC" = 0;;
	esac
	sed 's/^/    /' "$D/v.out"
done

fi

if sel valgrind; then
D=$T/valgrind; LOGS="$D/*.err $D/*.vg"
if [ -n "$SANITIZED" ]; then
	skip "valgrind: $BIN is a sanitizer build, which valgrind cannot run"
elif ! command -v valgrind > /dev/null; then
	skip "valgrind: not installed"
else
	wait_pid $VSPID 90 2> /dev/null; wait_pid $VCPID 90 2> /dev/null
	SRC=$(cat "$D/s.rc" 2> /dev/null) CRC=$(cat "$D/c.rc" 2> /dev/null)
	expect "valgrind: both sides exit 0 (an error or a definite leak would be status 1)" test "$SRC" = 0 -a "$CRC" = 0
	expect "valgrind: ERROR SUMMARY 0 errors on both sides, nothing definitely lost" eval 'has "$D/s.vg" "ERROR SUMMARY: 0 errors" && has "$D/c.vg" "ERROR SUMMARY: 0 errors" && ! grep -q "definitely lost: [1-9]" "$D/s.vg" "$D/c.vg"'
	expect "valgrind: messages byte-exact both ways" eval 'cmp -s "$D/c.in" "$D/s.out" && cmp -s "$D/s.in" "$D/c.out"'
fi

fi

FIG="ports $PORT0 to $PORT" expect "the run stayed within its 256 ports" test $((PORT - PORT0)) -lt 256
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
