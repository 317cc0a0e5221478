#!/usr/bin/env bash
# tests/fuzz-selftest.sh: does the fuzzer find bugs?  Plants two, one at a
# time, in copies of secchat.c, builds tests/fuzz.c's fast mode against each
# and fuzzes from tests/corpus for at most RUNS inputs (40000): each must end
# in a sanitizer report from the planted function.  Fails otherwise.  The
# budget is in inputs, not seconds: the rate falls from about 270 inputs a
# second to under 100 on a loaded machine, and a 60 s budget once failed CI
# (bye-reason not found in 5469 inputs).  LIMIT (900 s) only stops a hung run.
# KEEP=1 keeps the work directory (logs, crash inputs).
#   bye-reason  recv_close's bound on BYE's reason removed: why[] is read
#               out of bounds for a reason of 3 or more (UBSan's bounds
#               check, or ASan's global overflow)
#   flush-62    show_text (the terminal's display) flushes its 1024-byte
#               buffer 62 bytes too late: an escape written past its end
#               (stack overflow); the old show_message's off-by-14, moved
set -u
cd "$(dirname "$0")/.." || exit 1
FUZZCC=${FUZZCC:-clang}
RUNS=${RUNS:-40000}
LIMIT=${LIMIT:-900}
W=$(mktemp -d /tmp/secchat-fuzz-selftest.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT

# plant NAME FUNCTION SED: build the fast harness on a copy with SED applied.
plant() {
	local d=$W/$1
	mkdir -p "$d/tests" "$d/corpus"
	sed "$3" secchat.c > "$d/secchat.c"
	cp tests/fuzz.c "$d/tests/fuzz.c"
	if [ "$(diff secchat.c "$d/secchat.c" | grep -c '^[0-9]')" != 1 ]; then
		echo "$1: the planted bug no longer applies to secchat.c"; return 1
	fi
	$FUZZCC -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	    -fsanitize=fuzzer -Wall -Wextra -Wno-unused-function -Dmain=secchat_main \
	    -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -o "$d/fuzz" "$d/tests/fuzz.c" -lmbedcrypto -pthread
}

# hunt NAME FUNCTION: fuzz it; found if a sanitizer report names FUNCTION.
hunt() {
	local d=$W/$1 t0 t1 rc
	t0=$(date +%s)
	(cd "$d" && exec ./fuzz -runs="$RUNS" -max_total_time="$LIMIT" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
	    -close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$d/" corpus "$OLDPWD/tests/corpus") \
	    > "$d/log" 2>&1
	rc=$?; t1=$(date +%s)
	# The lines of FUNCTION in the copy: UBSan names only the line.
	read -r from to < <(awk -v f="^$2[(]" '$0 ~ f {a = NR} a && !b && /^}/ {b = NR} END {print a, b}' "$d/secchat.c")
	what=$(grep -m1 -E 'ERROR: AddressSanitizer|runtime error' "$d/log")
	line=$(echo "$what" | sed -n 's/.*secchat\.c:\([0-9]*\):.*runtime error.*/\1/p')
	if [ $rc != 0 ] && { { echo "$what" | grep -q AddressSanitizer && grep -q " in $2 " "$d/log"; } ||
	    { [ -n "$line" ] && [ "$line" -ge "$from" ] && [ "$line" -le "$to" ]; }; }; then
		echo "found: $1 in $((t1 - t0)) s, after $(grep -o '^#[0-9]*' "$d/log" | tail -1 | tr -d '#') inputs, in $2: $(echo "$what" | sed 's/.*AddressSanitizer: //; s/ on address.*//; s/.*runtime error: //')"
	else
		echo "NOT FOUND: $1 within $RUNS inputs or $LIMIT s, in $((t1 - t0)) s (status $rc)"; tail -5 "$d/log"; return 1
	fi
}

plant bye-reason recv_close '/^recv_close(/,/^}/ s/if (b\[9\] > (b\[0\] == T_END ? 0 : R_LOCAL))/if (b[9] > (b[0] == T_END ? 0 : 255))/' || exit 1
plant flush-62 show_text '/^show_text(/,/^}/ s/if (o > sizeof out - 64)/if (o > sizeof out - 2)/' || exit 1
# The two hunts at once, one core each.
hunt bye-reason recv_close > "$W/bye-reason.out" & P1=$!
hunt flush-62 show_text > "$W/flush-62.out"; R2=$?
wait $P1; R1=$?
cat "$W/bye-reason.out" "$W/flush-62.out"
[ $R1 = 0 ] && [ $R2 = 0 ]
