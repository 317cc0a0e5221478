#!/usr/bin/env bash
# tests/vanish.sh BIN idle|busy PORT: run inside `unshare -rn` (a private
# network namespace, root in it): a session over its loopback, then every
# packet dropped with nft, as when the peer's machine loses power.  idle:
# nothing more is sent; busy: the client sends 100 KB that are never
# acknowledged.  Prints how long the client took to give up and why; exits 0
# if it ended with status 1, "timed out", within 130 s (README: about 90 s).
set -u
BIN=$1 MODE=$2 PORT=$3
D=$(mktemp -d /tmp/secchat-vanish.XXXXXX)
trap 'kill $SPID $CPID 2>/dev/null; rm -rf "$D"' EXIT
wait_for() {
	local i
	for ((i = 0; i < 400; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	echo "vanish: waited in vain for '$2' in $1"; cat "$1"; exit 1
}
ip link set lo up || exit 1
mkfifo "$D/s.in" "$D/c.in"; exec 7<> "$D/s.in" 8<> "$D/c.in"
"$BIN" -s -p "$PORT" < "$D/s.in" > /dev/null 2> "$D/s.err" 7>&- 8>&- & SPID=$!
wait_for "$D/s.err" "listening on port"
"$BIN" -c 127.0.0.1 -p "$PORT" < "$D/c.in" > /dev/null 2> "$D/c.err" 7>&- 8>&- & CPID=$!
wait_for "$D/c.err" "secure session established"
nft add table inet vanish && nft add chain inet vanish in '{ type filter hook input priority 0; }' &&
    nft add rule inet vanish in drop || exit 1
t0=$(date +%s)
[ "$MODE" = busy ] && head -c 100000 /dev/urandom >&8
wait $CPID; rc=$?; t1=$(date +%s)
why=$(grep -v 'keys erased' "$D/c.err" | tail -1)
echo "vanish ($MODE): the client gave up after $((t1 - t0)) s, status $rc: $why"
[ "$rc" = 1 ] && [ $((t1 - t0)) -le 130 ] && grep -q "timed out" <<< "$why"
