#!/usr/bin/env bash
# tests/interop.sh A B...: sessions between the secchat command A and each
# command B (another build, or a build under qemu-user: a command may have
# arguments), in both roles, with fresh keys and with identity keys, and
# random files moved both ways at once and checked byte for byte.  The sizes
# cross the 262144-byte message boundary.
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -u
T=$(mktemp -d /tmp/secchat-interop.XXXXXX)
# Ports below the kernel's ephemeral range (32768 up) and apart from
# test.sh's (20000 up), 100 a run.
PORT=$((10000 + $$ % 100 * 100))
passed=0 failed=0
trap 'pkill -P $$ 2>/dev/null; rm -rf "$T"' EXIT

ok() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1)); echo "ok - $2"
	else
		failed=$((failed + 1)); echo "FAIL - $2"
		for f in "$D"/*.err; do sed "s|^|    $(basename "$f"): |" "$f" | head -20; done
	fi
}
# wait_for FILE REGEX SECONDS PID: poll until the file matches (bounded),
# or the process PID has ended.
wait_for() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$4" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# wait_pid PID SECONDS: wait for a background child, killing it past the limit.
wait_pid() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$1" 2>/dev/null
	wait "$1"
}
keytime() {
	local t
	t=$(sed -n 's/^secchat: key generated in \(.*\)$/\1/p' "$1")
	echo "${t:-none (key file)}"
}

# session NAME SERVER CLIENT: one session, 300000 bytes to the client and
# 600000 to the server at the same time.  Emulated builds are slow: an
# RSA-2048 key can take a minute under qemu, hence the generous limits.
session() {
	local name=$1 srv=$2 cli=$3 spid crc src
	D=$T/$name; mkdir -p "$D"; PORT=$((PORT + 1))
	head -c 300000 /dev/urandom > "$D/s.in"; head -c 600000 /dev/urandom > "$D/c.in"
	$srv -s -p $PORT < "$D/s.in" > "$D/s.out" 2> "$D/s.err" & spid=$!
	wait_for "$D/s.err" "listening on port" 300 $spid
	timeout 300 $cli -c 127.0.0.1 -p $PORT < "$D/c.in" > "$D/c.out" 2> "$D/c.err"; crc=$?
	wait_pid $spid 60; src=$?
	ok $((src | crc)) "$name: both exit 0"; echo "    figures: server status $src, client status $crc"
	cmp -s "$D/c.in" "$D/s.out"; ok $? "$name: 600000 bytes client to server byte-exact"
	cmp -s "$D/s.in" "$D/c.out"; ok $? "$name: 300000 bytes server to client byte-exact"
	echo "# $name: key generation: server $(keytime "$D/s.err"), client $(keytime "$D/c.err")"
}

# Besides fresh keys, identity keys made by one build with -g, read by it
# with -i and pinned by the other with -a: PEM files and fingerprints must
# agree across byte orders and word sizes.
a=$1; shift
la=${a##*/}
fa=$($a -g "$T/a.key" 2> "$T/a.key.err")
for b in "$@"; do
	lb=${b##*/}
	session "$la server, $lb client" "$a" "$b"
	session "$lb server, $la client" "$b" "$a"
	fb=$($b -g "$T/b-$lb.key" 2> "$T/b-$lb.key.err")
	session "$lb server with its -g key, $la client pinning it" "$b -i $T/b-$lb.key" "$a -a ${fb:-none}"
	session "$la server with its -g key, $lb client pinning it" "$a -i $T/a.key" "$b -a ${fa:-none}"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
