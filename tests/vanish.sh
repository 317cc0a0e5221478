#!/usr/bin/env bash
# tests/vanish.sh BIN idle|busy|alive|stopped PORT: run inside `unshare -rn`
# (a private network namespace, root in it): a session over its loopback,
# then every packet dropped with nft, as when the peer's machine loses power.
# idle: nothing more is sent; busy: the client sends 100 KB that are never
# acknowledged.  Prints how long the client took to give up and why; exits 0
# if it ended with status 1, "timed out", within 130 s (README: about 90 s).
# alive: no packet dropped, the session idle for 95 s (past TCP's 90 s
# limit): then a line each way, and both must exit 0.  stopped: the server
# frozen with SIGSTOP while the client sends 64 MB (its window shuts): the
# client must give up as for a vanished peer.
set -u
BIN=$1 MODE=$2 PORT=$3
D=$(mktemp -d /tmp/secchat-vanish.XXXXXX)
trap 'kill $WPID $SPID $CPID 2>/dev/null; kill -CONT $SPID 2>/dev/null; rm -rf "$D"' EXIT
WPID=
wait_for() {
	local i
	for ((i = 0; i < 400; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	echo "vanish: waited in vain for '$2' in $1"; cat "$1"; exit 1
}
ip link set lo up || exit 1
mkfifo "$D/s.in" "$D/c.in"; exec 7<> "$D/s.in" 8<> "$D/c.in"
# stopped: the server in a session of its own.  In test.sh's process group,
# once that group is orphaned (test.sh started in the background by a shell
# that has since exited), the kernel sends a stopped member SIGHUP and SIGCONT.
SETSID=; [ "$MODE" = stopped ] && SETSID=setsid
$SETSID "$BIN" -s -p "$PORT" < "$D/s.in" > "$D/s.out" 2> "$D/s.err" 7>&- 8>&- & SPID=$!
wait_for "$D/s.err" "listening on port"
"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > "$D/c.out" 2> "$D/c.err" 7>&- 8>&- & CPID=$!
wait_for "$D/c.err" "secure session established"
if [ "$MODE" = alive ]; then
	sleep 95	# the rule's own condition: idle past every TCP limit
	echo "from the client" >&8; echo "from the server" >&7
	exec 7>&- 8>&-
	wait $CPID; crc=$?; wait $SPID; src=$?; SPID= CPID=
	echo "vanish (alive): after 95 s idle, the client exits $crc, the server $src"
	[ "$crc" = 0 ] && [ "$src" = 0 ] && grep -q "from the client" "$D/s.out" && grep -q "from the server" "$D/c.out"
	exit
fi
if [ "$MODE" = stopped ]; then
	kill -STOP $SPID; t0=$(date +%s)
	head -c 64000000 /dev/zero >&8 & WPID=$!
	wait $CPID; rc=$?; t1=$(date +%s)
	why=$(grep -v 'keys erased' "$D/c.err" | tail -1)
	echo "vanish (stopped): the client gave up after $((t1 - t0)) s, status $rc: $why"
	[ "$rc" = 1 ] && [ $((t1 - t0)) -le 130 ] && grep -q "timed out" <<< "$why"
	exit
fi
nft add table inet vanish && nft add chain inet vanish in '{ type filter hook input priority 0; }' &&
    nft add rule inet vanish in drop || exit 1
t0=$(date +%s)
[ "$MODE" = busy ] && head -c 100000 /dev/urandom >&8
wait $CPID; rc=$?; t1=$(date +%s)
why=$(grep -v 'keys erased' "$D/c.err" | tail -1)
echo "vanish ($MODE): the client gave up after $((t1 - t0)) s, status $rc: $why"
[ "$rc" = 1 ] && [ $((t1 - t0)) -le 130 ] && grep -q "timed out" <<< "$why"
