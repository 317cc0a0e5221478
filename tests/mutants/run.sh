#!/usr/bin/env bash
# tests/mutants/run.sh [NAME...]: mutation testing of test.sh.  Each
# tests/mutants/NAME.sed is a sed script that plants one bug in a copy of
# secchat.c; its "# test:" line names the test.sh groups (a regex, see
# ./test.sh -l) that must catch it, "# hunks:" how many places it changes (1
# unless said).  First the unchanged secchat must pass those groups (else a
# "kill" proves nothing); then each mutant is built and those groups run
# against it: the mutant is killed if test.sh fails.  Fails if any mutant
# survives, or no longer applies (the sed script changes another number of
# places than it says, e.g. because the code moved).  Prints a table: the
# mutant, the first test that failed, the seconds it took.  JOBS=2 at once;
# with TEST_PORT=N (a port range of one's own), every run uses it, one at a time.
# MBEDTLS=DIR (tests/mbedtls.sh's output) builds against that Mbed TLS, not
# the system's; a mutant whose change the preprocessor drops in this build
# (code for another Mbed TLS) is listed as not in it, neither killed nor not.
set -u
cd "$(dirname "$0")/../.." || exit 1
CC=${CC:-cc}
BASE=${TEST_PORT:-}
JOBS=${JOBS:-$([ -n "$BASE" ] && echo 1 || echo 2)}
W=$(mktemp -d /tmp/secchat-mutants.XXXXXX)
trap 'rm -rf "$W"' EXIT
INC= LIB=-lmbedcrypto
[ -z "${MBEDTLS:-}" ] || INC=-I$MBEDTLS/include LIB=$MBEDTLS/lib/libmbedcrypto.a
build() { $CC -O2 -Wall -Wextra $INC -o "$2" "$1" $LIB -pthread 2> "$2.cc"; }

# row NAME WHAT SECONDS VERDICT: the mutant's line of the table, tab-separated.
row() { printf '%s\t%s\t%s\t%s\n' "$@" > "$W/$1.row"; }
# one NAME INDEX: build and test one mutant; writes W/NAME.row.
one() {
	local name=$1 idx=$2 m=tests/mutants/$1.sed d=$W/$1 t0 groups want got rc first
	t0=$(date +%s)
	mkdir -p "$d"
	groups=$(sed -n 's/^# test: //p' "$m")
	want=$(sed -n 's/^# hunks: //p' "$m"); want=${want:-1}
	sed -f "$m" secchat.c > "$d/secchat.c"
	got=$(diff secchat.c "$d/secchat.c" | grep -c '^[0-9]')
	if [ "$got" != "$want" ]; then
		row "$name" "NO LONGER APPLIES: changes $got places, not $want" 0 bad; return
	fi
	if cmp -s <($CC $INC -E -P secchat.c) <($CC $INC -E -P "$d/secchat.c"); then
		row "$name" "not in this build (the preprocessor drops the change)" 0 skip; return
	fi
	if ! build "$d/secchat.c" "$d/secchat"; then
		row "$name" "DOES NOT BUILD" 0 bad; sed 's/^/    /' "$d/secchat.cc"; return
	fi
	TEST_PORT=${BASE:-$((20000 + (idx + 1) % 48 * 256))} SECCHAT=$d/secchat timeout 300 ./test.sh "$groups" > "$d/test.log" 2>&1
	rc=$?
	first=$(sed -n 's/^FAIL - //p' "$d/test.log" | head -1)
	[ $rc = 124 ] && first="(test.sh hung: timed out after 300 s) $first"
	if [ $rc = 0 ]; then
		row "$name" "SURVIVED ($groups)" $(( $(date +%s) - t0 )) bad
	else
		row "$name" "${first:-test.sh status $rc}" $(( $(date +%s) - t0 )) ok
	fi
}

if [ "${1:-}" = --one ]; then W=$2; trap - EXIT; one "$3" "$4"; exit 0; fi

names=("$@")
[ ${#names[@]} = 0 ] && for f in tests/mutants/*.sed; do names+=("$(basename "$f" .sed)"); done
start=$(date +%s)

# The control: the real secchat passes every group that is to kill a mutant.
groups=$(for n in "${names[@]}"; do sed -n 's/^# test: //p' "tests/mutants/$n.sed"; done | paste -sd'|')
build secchat.c "$W/secchat" || { cat "$W/secchat.cc"; exit 1; }
if ! TEST_PORT=${BASE:-20000} SECCHAT=$W/secchat ./test.sh "$groups" > "$W/control.log" 2>&1; then
	grep -v '^ok' "$W/control.log"; echo "the unchanged secchat fails the mutants' tests"; exit 1
fi
echo "control: the unchanged secchat passes them ($(tail -1 "$W/control.log"))"

i=0
for n in "${names[@]}"; do echo "$n $i"; i=$((i + 1)); done |
    xargs -P "$JOBS" -L 1 "$0" --one "$W"

bad=0 out=0
printf '%-20s %5s  %s\n' MUTANT SEC "KILLED BY (first failing test)"
for n in "${names[@]}"; do
	IFS=$'\t' read -r name what sec verdict < "$W/$n.row" || { name=$n what="no result" sec=0 verdict=bad; }
	case $verdict in ok) ;; skip) out=$((out + 1)) ;; *) bad=$((bad + 1)) ;; esac
	printf '%-20s %5s  %s\n' "$name" "$sec" "$what"
done
echo "${#names[@]} mutants, $(( ${#names[@]} - bad - out )) killed, $bad not, $out not in this build;" \
    "$(( $(date +%s) - start )) s"
[ $bad = 0 ]
