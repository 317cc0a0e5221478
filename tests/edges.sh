# tests/edges.sh: promises at their edges (issue 18). sourced by test.sh (see PARTS there); sections as in test.sh,
# each between "if sel NAME; then" and "fi".

if sel edge-sockout; then
# ---- exit 0 means delivered, stdout a socket too (tests/sockout.py) ----
# The receiver's stdout is a Unix socketpair or a loopback TCP connection whose
# reader takes 1000 of 5000 bytes (all in its socket buffer at once) and closes: the kernel drops the rest (a
# Unix peer's ECONNRESET, a TCP reset) and the send queue looks empty.  The
# receiver's stdin is held open until the reader has gone, so that its END,
# and so the check of stdout, comes only then.
for kind in unix tcp; do
	newdir "edge-sockout-$kind"; newport
	mkfifo "$D/s.in"; exec 7<> "$D/s.in"; head -c 5000 /dev/urandom > "$D/c.in"
	$PY tests/sockout.py $kind 1000 0 "$D/r.out" $RUSAGE "$D/s.ru" "$BIN" -s -p "$PORT" < "$D/s.in" 2> "$D/s.err" 7>&- & SPID=$!
	wait_for "$D/s.err" "listening on port"
	"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > /dev/null 2> "$D/c.err" 7>&- & CPID=$!
	wait_for "$D/s.err" "sockout: closed after 1000 bytes"; exec 7>&-
	wait_pid $CPID; CRC=$?; wait_pid $SPID; SRC=$?
	expect "stdout a $kind socket whose reader left with 4000 bytes unread: the receiver exits 1 and says why" \
	    eval 'test "$SRC" = 1 && has "$D/s.err" "reader went away leaving bytes unread"'
	expect "stdout a $kind socket whose reader left with 4000 bytes unread: the sender exits 1, told the peer failed" \
	    eval 'test "$CRC" = 1 && has "$D/c.err" "aborted the session: it failed locally"'
done
# A reader that starts 1.5 s late and takes everything: no exit before it has.
newdir edge-sockout-late; newport
: > "$D/s.in"; head -c 50000 /dev/urandom > "$D/c.in"
$PY tests/sockout.py unix all 1.5 "$D/r.out" "$BIN" -s -p "$PORT" < "$D/s.in" 2> "$D/s.err" & SPID=$!
wait_for "$D/s.err" "listening on port"
client "$D"; CEND=$(date +%s%3N); wait_pid $SPID; SRC=$?
READ=$(sed -n 's/^sockout: read 50000 bytes at //p' "$D/s.err")
FIG="reader done at ${READ:-never}, sender done at $CEND (ms since the epoch)" \
    expect "stdout a Unix socket read 1.5 s late: both exit 0, the sender only once the reader has read all" \
    eval 'test "$CRC" = 0 -a "$SRC" = 0 -a -n "$READ" && test "$READ" -le "$CEND" && cmp -s "$D/c.in" "$D/r.out"'

fi

if sel edge-port; then
# ---- the port stays ours: the -k listener listens for the whole run ----
# User nobody spins on bind+listen with SO_REUSEADDR (tests/spin.c) while
# clients connect and leave as fast as the server serves them; then a client
# comes during a session and is turned away; the session goes on.
newdir edge-port; newport
${CC_HOST:-cc} -O2 -o "$D/spin" tests/spin.c && chmod 755 "$D" "$D/spin"
chmod 755 "$T"
"$BIN" -s -k -p "$PORT" < /dev/null > /dev/null 2> "$D/s.err" 7>&- 8>&- & SPID=$!
wait_for "$D/s.err" "listening on port"
setpriv --reuid=65534 --regid=65534 --clear-groups "$D/spin" "$PORT" 4 > "$D/spin.out" 2>&1 & HPID=$!
$PY - "$PORT" > "$D/cycles.out" 2>&1 <<'PY'
import socket, sys, time
port, n, end = int(sys.argv[1]), 0, time.monotonic() + 4
while time.monotonic() < end:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as c:
            c.shutdown(socket.SHUT_WR)
            c.recv(1)       # the server's end of stream: its session is over
        n += 1
    except OSError:
        time.sleep(0.001)
print("%d connect and close cycles" % n)
PY
wait_pid $HPID 10; HRC=$?
CYC=$(sed -n 's/ connect and close cycles//p' "$D/cycles.out")
FIG="spin: $(head -1 "$D/spin.out"); ${CYC:-0} connect and close cycles" \
    expect "-k: user nobody spinning on bind+listen never takes the port during 100 or more connect and close cycles" \
    eval 'test "$HRC" = 0 -a "${CYC:-0}" -ge 100 && kill -0 $SPID && hasnt "$D/s.err" "listen again"'
mkfifo "$D/c.in"; exec 8<> "$D/c.in"
"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > /dev/null 2> "$D/c.err" 7>&- 8>&- & CPID=$!
wait_for "$D/c.err" "secure session established"
timeout 20 "$BIN" -c 127.0.0.1 -p "$PORT" < /dev/null > /dev/null 2> "$D/x.err"; XRC=$?
expect "-k: a client during a session is reset at once, status 1, told the server is busy" \
    eval 'test "$XRC" = 1 && has "$D/x.err" "Connection reset by peer" && has "$D/x.err" "the server is busy with another session"'
exec 8>&-; wait_pid $CPID; CRC=$?
expect "-k: the session goes on and ends cleanly" eval 'test "$CRC" = 0 && has "$D/c.err" "peer has finished sending"'
kill -TERM $SPID; wait_pid $SPID 10
# A server that reads our COMMIT and closes (as one of another version would).
newport
$PY -c '
import socket, sys
with socket.create_server(("127.0.0.1", int(sys.argv[1]))) as l:
    print("listening", flush=True)
    c, _ = l.accept()
    c.recv(64)
    c.close()' "$PORT" > "$D/v.out" 2>&1 & VPID=$!
wait_for "$D/v.out" "listening"
timeout 20 "$BIN" -c 127.0.0.1 -p "$PORT" < /dev/null > /dev/null 2> "$D/v.err"; VRC=$?; wait $VPID
expect "a connection that ends before the server's HELLO: status 1, both causes named" \
    eval 'test "$VRC" = 1 && has "$D/v.err" "before the server.s HELLO: the server is busy with another session, or speaks another secchat version"'

fi

if sel edge-hello-rate; then
# ---- a safety code cannot be ground: one HELLO a second for failed handshakes ----
# tests/grind.py sends COMMIT after COMMIT to a -k server and drops each
# connection once it has the HELLO (as a man in the middle would, looking for
# a safety code that matches his).  Then a real client still gets in.
newdir edge-hello-rate; newport
"$BIN" -s -k -p "$PORT" < /dev/null > /dev/null 2> "$D/s.err" & SPID=$!
wait_for "$D/s.err" "listening on port"
$PY tests/grind.py "$PORT" 3 > "$D/g.out" 2>&1
N=$(sed -n 's/ HELLOs in .*//p' "$D/g.out"); : > "$D/c.in"
t0=$(date +%s%3N); client "$D"; t1=$(date +%s%3N)
kill -TERM $SPID; wait_pid $SPID 10
FIG="$(cat "$D/g.out")" expect "-k: a grinder gets 1 to 4 HELLOs in 3 s, one a second" test "${N:-99}" -ge 1 -a "${N:-99}" -le 4
FIG="served in $((t1 - t0)) ms" expect "-k: a real client right after the grinder is served" eval 'test "$CRC" = 0 && has "$D/c.err" "secure session established"'

fi

if sel edge-second-signal; then
# ---- a second signal while closing ends secchat at once ----
# The peer holds the connection and never ends it: after our BYE 1 we would
# wait 5 s for its end of stream.  The second SIGINT comes once our sending
# half is shut (FIN-WAIT-2: BYE out, waiting in linger).
newdir edge-second-signal; newport
mkfifo "$D/c.in"; exec 8<> "$D/c.in"
$PEER -s "$PORT" --attack no-answer --timeout 50 > /dev/null 2> "$D/p.err" 8>&- & PPID_=$!
wait_for "$D/p.err" "listening"
"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > /dev/null 2> "$D/c.err" 8>&- & CPID=$!
wait_for "$D/p.err" "holding the connection"
kill -INT $CPID; wait_for "$D/c.err" "interrupted: closing"
for ((i = 0; i < 200; i++)); do
	[ -n "$(ss -tnH state fin-wait-2 "( dport = :$PORT )" 2>/dev/null)" ] && break
	sleep 0.05
done
t0=$(date +%s%3N); kill -INT $CPID; wait_pid $CPID 10; RC=$?; t1=$(date +%s%3N)
exec 8>&-; kill $PPID_ 2>/dev/null; wait $PPID_ 2>/dev/null
FIG="status $RC after $((t1 - t0)) ms" \
    expect "second SIGINT while closing, the peer holding on: status 130 in under 1 s (was 5 s)" \
    eval 'test "$i" -lt 200 -a "$RC" = 130 -a $((t1 - t0)) -lt 1000 && has "$D/c.err" "keys erased"'

fi

if sel edge-enosys; then
# ---- no getrandom (Linux before 3.17): wait for /dev/random before seeding ----
# tests/nosys.c fails getrandom with ENOSYS (a seccomp filter: static builds
# too); strace shows secchat opening /dev/random and polling it for reading.
newdir edge-enosys
if [ -z "$SANITIZED" ] && command -v strace > /dev/null &&
    ${CC_HOST:-cc} -O2 -o "$D/nosys" tests/nosys.c 2> "$D/cc.err"; then
	strace -f -e trace=getrandom,openat,open,poll,ppoll -o "$D/g.trace" \
	    "$D/nosys" getrandom "$BIN" -g "$D/key" > /dev/null 2> "$D/g.err"; RC=$?
	# the fd /dev/random got, then a poll of that fd for POLLIN
	FD=$(sed -n 's/.*open[at]*(.*"\/dev\/random", .*) = \([0-9]*\)$/\1/p' "$D/g.trace" | head -1)
	expect "getrandom failing with ENOSYS: secchat polls /dev/random for reading before it seeds, then makes the key" \
	    eval 'test "$RC" = 0 -a -s "$D/key" -a -n "$FD" && has "$D/g.trace" "getrandom(.*= -1 ENOSYS" &&
	    has "$D/g.trace" "poll(\\[{fd=$FD, events=POLLIN}"'
else
	skip "edge-enosys: a sanitizer build (strace cannot trace it), no strace, or cannot build tests/nosys.c"
fi

fi

if sel edge-blockdev; then
# ---- a block device as stdout is fsync'ed before it counts as delivered ----
# A loop device (root only) over a file; strace shows the fsync.
newdir edge-blockdev; newport
truncate -s 1M "$D/disk"
if [ -z "$SANITIZED" ] && command -v strace > /dev/null && LOOP=$(losetup -f --show "$D/disk" 2> /dev/null); then
	printf 'onto a disk\n' > "$D/c.in"; : > "$D/s.in"
	strace -f -e trace=fsync -o "$D/s.trace" "$BIN" -s -p "$PORT" < "$D/s.in" > "$LOOP" 2> "$D/s.err" & SPID=$!
	wait_for "$D/s.err" "listening on port"
	client "$D"; wait_pid $SPID; SRC=$?
	FIG="$LOOP, $(grep -c 'fsync(1)' "$D/s.trace") fsync(1)" \
	    expect "stdout a block device: both exit 0, the message on the device, fsync'ed first" \
	    eval 'test "$CRC" = 0 -a "$SRC" = 0 && head -c 12 "$LOOP" | cmp -s - "$D/c.in" && has "$D/s.trace" "fsync(1) *= 0"'
	losetup -d "$LOOP"
else
	skip "edge-blockdev: no loop device (needs root) or no strace"
fi

fi
