# tests/tty.sh: the terminal (issues 10, 17, 18), one of test.sh's PARTS,
# sourced after its tmux helpers (tm, keys, screen).  The line editor (stdin
# and stdout a terminal), a display the peer cannot fake, the terminal always
# put back, and which side is a terminal deciding each direction on its own
# (group tty); each rule at its boundaries in groups of their own (tty-*).
# Every wait polls the screen or a file, bounded.

# pane NAME COLS CMD: CMD alone in a tmux session NAME, COLS wide; its status
# goes to NAME.rc.  CMD's stderr stays on the screen unless CMD redirects it.
pane() { tm -u new-session -d -s "$1" -x "$2" -y 30 "$3; echo \$? > $D/$1.rc; sleep 60"; }
# wait_screen NAME REGEX [SECONDS]: poll the screen of NAME until a row matches (10 s).
wait_screen() {
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		screen "$1" > /dev/null; grep -qa -- "$2" "$D/$1.screen" && return 0
		sleep 0.05
	done
	echo "    (waited in vain for '$2' on the screen of $1)"; return 1
}
cursor() { tm display -p -t "$1" '#{cursor_x} #{cursor_y}'; }
# lastrow NAME: "ROW TEXT" of the last row of NAME.screen that is not empty (rows from 0).
lastrow() { awk 'NF { n = NR - 1; t = $0 } END { print n, t }' "$D/$1.screen"; }
# msgs: how many MSG frames the server has received (it runs with -v);
# sizes N: the sizes of the last N messages it decrypted.  A typed line is
# sent with its newline, and s.out alone does not show where messages end:
# sizes does.  is FILE TEXT: FILE holds exactly TEXT (printf's escapes).
msgs() { grep -c "^secchat: received MSG" "$D/srv.err"; }
sizes() { sed -n 's/^secchat: message [0-9]*: signature verified, \([0-9]*\) bytes decrypted$/\1/p' "$D/srv.err" | tail -n "$1" | tr '\n' ' '; }
is() { printf -- "$2" | cmp -s - "$1"; }
# serve: secchat -s -v >> s.out in pane srv, its stdin the terminal (canonical:
# no editor there), its pid in srv.pid.  cli ARGS: a client's command line,
# its pid in cli.pid.  chat COLS [ARGS]: both, the client in pane cli, COLS
# wide, its stderr on the screen: the editor.  Returns once both are established.
serve() {
	newport
	pane srv 160 "sh -c 'echo \$\$ > $D/srv.pid; exec $BIN -s -v -p $PORT' >> $D/s.out 2> $D/srv.err"
	wait_for "$D/srv.err" "listening on port"
}
cli() { echo "sh -c 'echo \$\$ > $D/cli.pid; exec $BIN -c 127.0.0.1 -p $PORT $*'"; }
chat() {
	local cols=$1; shift
	serve; pane cli "$cols" "$(cli "$@")"
	wait_screen cli "^secchat: secure session established" && wait_for "$D/srv.err" "secure session established"
}

if sel tty; then
# ---- the typed line stays intact while a message and status lines arrive ----
newdir tty-intact; chat 80 -v; LOGS="$D/*.err $D/*.screen"
tm send-keys -t cli -l "hello from client, I am typ"
wait_screen cli "^> hello from client, I am typ$"
keys srv "hi from server"
wait_screen cli "^peer> hi from server$"
read -r CY CT < <(lastrow cli); CUR=$(cursor cli)
FIG="cursor $CUR" expect "typed line intact: the partial line is the last row, with the cursor after it" \
    test "$CT" = "> hello from client, I am typ" -a "$CUR" = "29 $CY"
expect "typed line intact: the message on the row above it" \
    test "$(sed -n "${CY}p" "$D/cli.screen")" = "peer> hi from server"
expect "typed line intact: -v status lines at column 0, the partial line nowhere else" \
    eval 'grep -q "^secchat: received MSG" "$D/cli.screen" && test "$(grep -c "typ" "$D/cli.screen")" = 1'
tm send-keys -t cli -l "ing a long line"; tm send-keys -t cli Enter
wait_for "$D/s.out" "long line"
expect "typed line intact: the peer receives exactly what was typed" \
    eval 'is "$D/s.out" "hello from client, I am typing a long line\n" && test "$(sizes 1)" = "43 "'
expect "both terminals, the editor: the sent line shown as 'you> ', the prompt empty below it" \
    eval 'wait_screen cli "^you> hello from client, I am typing a long line$" > /dev/null && test "$(lastrow cli | cut -d" " -f2-)" = ">"'

# ---- editing: the line sent is what the keys made of it ----
: > "$D/s.out"; N0=$(msgs)
tm send-keys -t cli -l "helo"; tm send-keys -t cli Left; tm send-keys -t cli -l "l"; tm send-keys -t cli Enter
tm send-keys -t cli -l "aé中b"; tm send-keys -t cli Left BSpace BSpace End Enter
tm send-keys -t cli -l "xyz"; tm send-keys -t cli Home Delete C-e Enter
tm send-keys -t cli -l "one two three"; tm send-keys -t cli C-w Enter
tm send-keys -t cli -l "garbage"; tm send-keys -t cli C-u; tm send-keys -t cli -l "kept"; tm send-keys -t cli Enter
tm send-keys -t cli Up Enter
tm send-keys -t cli -l "draft"; tm send-keys -t cli Up Up Down Down; tm send-keys -t cli -l " too"; tm send-keys -t cli Enter
# Ctrl-Left is Left; F5, F1, Alt-b and a bracketed paste's start are ignored; then Delete.
tm send-keys -t cli -l "abc$(printf '\033[1;5D')X$(printf '\033[15~\033OP\033b\033[200~\033[3~')"; tm send-keys -t cli Enter
wait_for "$D/s.out" "^abX$"
expect "editing: Left and insert, Backspace over é and 中, Home/Delete, Ctrl-W, Ctrl-U, Up, Down back to the draft, unknown escapes ignored" \
    is "$D/s.out" "hello\nab\nyz\none two \nkept\nkept\ndraft too\nabX\n"
FIG="$(($(msgs) - N0)) messages: $(sizes 8)" expect "editing: one message per Enter, each its line with its newline (8 messages)" \
    test $(($(msgs) - N0)) = 8 -a "$(sizes 8)" = "6 3 3 9 5 5 10 4 "

# ---- a 300-character line in 80 columns: one row while typed, sent whole ----
L300=$(for i in $(seq 0 29); do printf '%09d-' "$i"; done)
: > "$D/s.out"; N0=$(msgs)
tm send-keys -t cli -l "$L300"
wait_screen cli "000000029-$"
read -r CY CT < <(lastrow cli); CUR=$(cursor cli)
FIG="cursor $CUR" expect "300 characters in 80 columns: the line scrolls within the last row" \
    eval 'test "${CT:0:2}" = "> " -a ${#CT} -le 80 -a "$CUR" = "$(( ${#CT} )) $CY" && test "$(grep -c 000000015- "$D/cli.screen")" = 0'
tm send-keys -t cli Enter; wait_for "$D/s.out" "000000029-"
expect "300 characters in 80 columns: sent whole, in one message" \
    eval 'is "$D/s.out" "$L300\n" && test $(($(msgs) - N0)) = 1 -a "$(sizes 1)" = "301 "'

# ---- a paste of three lines: three messages, in order ----
: > "$D/s.out"; N0=$(msgs)
tm set-buffer -b three "$(printf 'pasted one\npasted two\npasted three')"
tm paste-buffer -b three -t cli; tm send-keys -t cli Enter
wait_for "$D/s.out" "pasted three"
FIG="$(($(msgs) - N0)) MSG frames" expect "paste of three lines: three MSG frames, in order" \
    eval 'test $(($(msgs) - N0)) = 3 -a "$(sizes 3)" = "11 11 13 " && is "$D/s.out" "pasted one\npasted two\npasted three\n"'

# ---- the window resized (SIGWINCH): the line redrawn within the new width ----
tm send-keys -t cli -l "$L300"; wait_screen cli "000000029-$"
tm resize-window -t cli -x 40; sleep 0.2; tm send-keys -t cli Home
wait_screen cli "^> 000000000-000000001-000000002-0000000$"
read -r CY CT < <(lastrow cli)
expect "resized to 40 columns: the line redrawn within 40 columns, cursor at its start" \
    test ${#CT} -le 40 -a "$(cursor cli)" = "2 $CY"
tm send-keys -t cli C-u; keys cli exit
wait_for "$D/cli.rc" . 15; wait_for "$D/srv.rc" . 15
expect "editor: 'exit' closes, both exit 0, the prompt erased" \
    eval 'test "$(cat "$D/cli.rc")" = 0 -a "$(cat "$D/srv.rc")" = 0 && screen cli > /dev/null && ! grep -q "^>$" "$D/cli.screen" && test "$(lastrow cli | cut -d" " -f2-)" = "secchat: chat ended, keys erased"'
tm kill-server 2>/dev/null

# ---- the terminal put back exactly (stty -g) on every way out ----
# stty_case HOW RC: a session with a partial line typed, ended by HOW; the
# client must exit RC, and stty -g after it must be what it was before.
stty_case() {
	newdir "tty-stty-$1"; LOGS="$D/*.err $D/*.screen"
	serve
	pane cli 80 "stty -g > $D/before; $(cli) 2> $D/cli.err; echo \$? > $D/c.st; stty -g > $D/after"
	wait_for "$D/cli.err" "secure session established"
	tm send-keys -t cli -l "partial"; wait_screen cli "^> partial$"
	case $1 in
	exit) tm send-keys -t cli C-u; keys cli exit ;;
	peer-exit) keys srv exit ;;
	SIGTERM) kill -TERM "$(cat "$D/cli.pid")" ;;
	killed-peer) kill -KILL "$(cat "$D/srv.pid")" ;;
	Ctrl-C) tm send-keys -t cli C-c ;;
	esac
	wait_for "$D/after" . 15
	WANT=$2
	FIG="status $(cat "$D/c.st" 2>/dev/null)" expect "stty -g identical before and after: $1, status $2" \
	    eval 'test -s "$D/before" && cmp -s "$D/before" "$D/after" && test "$(cat "$D/c.st")" = "$WANT"'
	tm kill-server 2>/dev/null
}
stty_case exit 0
stty_case peer-exit 0
stty_case SIGTERM 143
stty_case killed-peer 1
stty_case Ctrl-C 130

# ---- Ctrl-Z: the terminal put back before stopping, set again on SIGCONT ----
# No job-control shell here (bash puts its own settings back when a job
# stops): the terminal is read from outside while secchat is stopped.
newdir tty-stop; LOGS="$D/*.err $D/*.screen"
serve
pane cli 80 "stty -g > $D/before; $(cli) 2> $D/cli.err"
wait_for "$D/cli.err" "secure session established"
tm send-keys -t cli -l "partial"; wait_screen cli "^> partial$"
PTY=$(tm display -p -t cli '#{pane_tty}'); CPID=$(cat "$D/cli.pid")
state() { awk '{ print $3 }' "/proc/$CPID/stat" 2>/dev/null; }
tm send-keys -t cli C-z
for ((i = 0; i < 200; i++)); do [ "$(state)" = T ] && break; sleep 0.05; done
stty -g < "$PTY" > "$D/stopped"; screen cli > /dev/null
expect "Ctrl-Z: stopped, the terminal put back first (stty -g as before), the line erased" \
    eval 'test "$(state)" = T && cmp -s "$D/before" "$D/stopped" && ! grep -q "^> partial" "$D/cli.screen"'
kill -CONT "$CPID"
for ((i = 0; i < 200; i++)); do stty -a < "$PTY" | grep -q -- "-icanon -iexten" && break; sleep 0.05; done
wait_screen cli "^> partial$"
expect "SIGCONT: non-canonical without echo again, the line redrawn, cursor after it" \
    eval 'stty -a < "$PTY" | grep -q -- "-icanon -iexten" && stty -a < "$PTY" | grep -q -- " -echo " && read -r CY CT < <(lastrow cli) && test "$CT" = "> partial" -a "$(cursor cli)" = "9 $CY"'
tm send-keys -t cli -l " line"; tm send-keys -t cli Enter; wait_for "$D/s.out" "partial line"
expect "SIGCONT: the line finished and sent" is "$D/s.out" "partial line\n"
tm send-keys -t cli C-u; keys cli exit; wait_for "$D/cli.rc" . 15
tm kill-server 2>/dev/null

# ---- Ctrl-Z, then fg in an interactive shell: the line kept, the chat goes on ----
newdir tty-ctrl-z; LOGS="$D/*.err $D/*.screen"
serve
pane cli 80 "bash --norc --noprofile -i"
tm send-keys -t cli -l "$BIN -c 127.0.0.1 -p $PORT 2> $D/cli.err"
tm send-keys -t cli Enter
wait_for "$D/cli.err" "secure session established"
tm send-keys -t cli -l "partial"; wait_screen cli "^> partial$"
tm send-keys -t cli C-z; wait_screen cli "Stopped"
keys cli "fg"; wait_screen cli "^> partial$"
read -r CY CT < <(lastrow cli)
expect "Ctrl-Z, fg: the partial line redrawn once, cursor after it" \
    test "$(grep -c '^> partial$' "$D/cli.screen")" = 1 -a "$(cursor cli)" = "9 $CY"
keys srv "after fg"; wait_screen cli "^peer> after fg$"
tm send-keys -t cli -l " line"; tm send-keys -t cli Enter; wait_for "$D/s.out" "partial line"
tm send-keys -t cli C-u; keys cli exit; wait_for "$D/cli.err" "keys erased" 15
expect "Ctrl-Z, fg: the chat goes on both ways, and ends with exit" \
    eval 'grep -q "^peer> after fg$" "$D/cli.screen" && is "$D/s.out" "partial line\n" && has "$D/cli.err" "the peer answered BYE"'
tm kill-server 2>/dev/null

# ---- a hostile peer's display, with the editor's redraw ----
newdir tty-hostile; newport; LOGS="$D/*.err $D/*.screen"
{
	printf 'A\033]0;owned\007B\033[2JC\033[31mD\rE\000F\377G \342\200\256H\342\200\213I\357\273\277J caf\303\251 \344\270\255\n'
	for i in $(seq 128 159); do printf "\\302\\$(printf %o "$i")"; done
} > "$D/p.in"
$PEER -s "$PORT" --send-file "$D/p.in" --no-end --timeout 50 > /dev/null 2> "$D/p.err" & PPID_=$!
wait_for "$D/p.err" "listening"
pane cli 80 "$BIN -c 127.0.0.1 -p $PORT"
wait_screen cli "^secchat: secure session established"
tm send-keys -t cli -l "partial"
wait_screen cli "^peer> A"; wait_screen cli "^> partial$"
expect "hostile display: escapes, CR, NUL, invalid UTF-8, U+202E, U+200B, U+FEFF shown as text" \
    grep -qF 'peer> A^[]0;owned^GB^[[2JC^[[31mD^ME^@F\xffG <U+202E>H<U+200B>I<U+FEFF>J café 中' "$D/cli.screen"
C1=0; for i in $(seq 128 159); do grep -qF "$(printf '\\x%02x' "$i")" "$D/cli.screen" && C1=$((C1 + 1)); done
FIG="$C1 shown" expect "hostile display: each of the 32 C1 controls U+0080-U+009F shown as \\xNN" test "$C1" = 32
expect "hostile display: no title set, no screen cleared" \
    eval 'test "$(tm display -p -t cli "#{pane_title}")" != owned && grep -q "^secchat: secure session established" "$D/cli.screen"'
read -r CY CT < <(lastrow cli)
expect "hostile display: the partial line intact on the last row, cursor after it" \
    test "$CT" = "> partial" -a "$(cursor cli)" = "9 $CY"
tm send-keys -t cli C-u; keys cli exit; wait_for "$D/cli.rc" . 15
kill $PPID_ 2>/dev/null; wait $PPID_ 2>/dev/null
tm kill-server 2>/dev/null

# ---- no fake status line: peer text never starts a row ----
newdir tty-fake; newport; LOGS="$D/*.err $D/*.screen"
L500=$(for i in $(seq 0 49); do printf '%09d-' "$i"; done)
$PEER -s "$PORT" --send "$(printf '%74s' '')secchat: fake"$'\n' --send "$(printf 'abc\342\200\256def')"$'\n' \
    --send "$L500"$'\n' --no-end --timeout 50 > /dev/null 2> "$D/p.err" & PPID_=$!
wait_for "$D/p.err" "listening"
pane cli 80 "$BIN -c 127.0.0.1 -p $PORT"
wait_screen cli "000000049-$"
expect "74 spaces and 'secchat: fake' in 80 columns: no row starts with it, the mark does" \
    eval '! grep -q "^secchat: fake" "$D/cli.screen" && grep -q "^  \.\.\. secchat: fake$" "$D/cli.screen" && ! grep -v "^secchat: [a-z]" "$D/cli.screen" | grep -q "^secchat"'
expect "U+202E from the peer shown escaped" grep -q '^peer> abc<U+202E>def$' "$D/cli.screen"
# The 500 characters: from the row "peer> 000000000", every row labelled or
# marked, and what follows the label or the mark, joined, is the whole line.
GOT=$(awk '/^peer> 000000000-/ { on = 1 } on && !/^(peer> |  \.\.\. )/ { exit } on { printf "%s", substr($0, 7) }' "$D/cli.screen")
ROWS=$(grep -c '^  \.\.\. [0-9]' "$D/cli.screen")
FIG="$ROWS continuation rows" expect "a 500-character line wraps in 80 columns, every row labelled or marked (6 or more continuation rows)" \
    test "$GOT" = "$L500" -a "$ROWS" -ge 6
tm send-keys -t cli C-u; keys cli exit; wait_for "$D/cli.rc" . 15
kill $PPID_ 2>/dev/null; wait $PPID_ 2>/dev/null
tm kill-server 2>/dev/null

# ---- which side is a terminal decides each direction ----
printf 'line one\n\033[31mred\000\377' > "$T/raw.in"
# -s > file, typed at a terminal: the file byte-exact; the line typed is sent.
newdir tty-s-to-file; newport; LOGS="$D/*.err $D/*.screen"
pane srv 80 "$BIN -s -p $PORT > $D/s.out 2> $D/srv.err"
wait_for "$D/srv.err" "listening on port"
timeout 60 $PEER -c "$PORT" --send-file "$T/raw.in" --timeout 50 > "$D/p.out" 2> "$D/p.err" & PPID_=$!
wait_for "$D/srv.err" "peer has finished sending"
keys srv "typed at the terminal"; tm send-keys -t srv C-d
wait_pid $PPID_; PRC=$?; wait_for "$D/srv.rc" . 15
expect "-s > file at a terminal: the file is the peer's bytes exactly, no label" cmp -s "$T/raw.in" "$D/s.out"
expect "-s > file at a terminal: the typed line sent, Ctrl-D ends it, both exit 0" \
    eval 'is "$D/p.out" "typed at the terminal\n" && test "$PRC" = 0 -a "$(cat "$D/srv.rc")" = 0'
tm kill-server 2>/dev/null
# -c host < file, stdout the terminal: the peer's bytes shown escaped; the file sent.
newdir tty-c-from-file; newport; LOGS="$D/*.err $D/*.screen"
head -c 5000 /dev/urandom > "$D/c.in"
$PEER -s "$PORT" --send-file "$T/raw.in" --timeout 50 > "$D/p.out" 2> "$D/p.err" & PPID_=$!
wait_for "$D/p.err" "listening"
pane cli 80 "$BIN -c 127.0.0.1 -p $PORT < $D/c.in"
wait_for "$D/cli.rc" . 15; screen cli > /dev/null; wait_pid $PPID_
expect "-c host < file, stdout a terminal: labelled and escaped, no prompt" \
    eval 'grep -q "^peer> line one$" "$D/cli.screen" && grep -qF "peer> ^[[31mred^@\xff" "$D/cli.screen" && ! grep -q "^>" "$D/cli.screen"'
expect "-c host < file, stdout a terminal: the file arrives byte-exact, status 0" \
    eval 'cmp -s "$D/c.in" "$D/p.out" && test "$(cat "$D/cli.rc")" = 0'
tm kill-server 2>/dev/null
# Neither a terminal: pipe mode, the peer's bytes exactly.
newdir tty-neither; newport
$PEER -s "$PORT" --send-file "$T/raw.in" > /dev/null 2> "$D/p.err" & PPID_=$!
wait_for "$D/p.err" "listening"
timeout 60 "$BIN" -c 127.0.0.1 -p "$PORT" < /dev/null > "$D/c.out" 2> "$D/c.err"; CRC=$?; wait_pid $PPID_
expect "neither a terminal: stdout is the peer's bytes exactly, status 0" eval 'cmp -s "$T/raw.in" "$D/c.out" && test "$CRC" = 0'
# TERM=dumb, both terminals: no editor; the kernel's line editing, labels still.
newdir tty-dumb; LOGS="$D/*.err $D/*.screen"
serve; pane cli 80 "TERM=dumb $(cli) 2> $D/cli.err"
wait_for "$D/cli.err" "secure session established"
keys cli "dumb line"; wait_for "$D/s.out" "dumb line"
keys srv "to the dumb terminal"; wait_screen cli "^peer> to the dumb terminal$"
expect "TERM=dumb: no prompt, no 'you> ', the typed line sent, the peer's labelled" \
    eval '! grep -q "^> \|^you> " "$D/cli.screen" && is "$D/s.out" "dumb line\n"'
tm kill-server 2>/dev/null

# ---- what was typed is wiped: the memory image at exit_group, and a control ----
# As test.sh's "keys erased" tests, with the server's stdin and stdout the
# terminal: a line typed and sent, sent again with Up, another line typed and
# kept aside by Up (the draft), then exit.  The control stops at the
# shutdown() that follows our BYE, before the wipe: both lines must be found
# there.  tty_gdb NAME SYSCALL: the image at SYSCALL in NAME.core.
tty_gdb() {
	newport
	pane srv 160 "gdb -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
	    -ex 'set dump-excluded-mappings on' -ex 'set use-coredump-filter off' \
	    -ex 'handle SIGPIPE SIGINT SIGTERM SIGHUP SIGTSTP SIGCONT SIGWINCH nostop noprint pass' \
	    -ex 'catch syscall $2' -ex 'run -s -p $PORT -i $D/id < /dev/tty > /dev/tty 2> $D/$1.err' \
	    -ex 'print (int) \$rdi' -ex 'gcore $D/$1.core' -ex kill --args $BIN > $D/$1.gdb 2>&1"
	wait_for "$D/$1.err" "listening on port" 30
	timeout 60 $PEER -c "$PORT" --send "$(cat "$D/peer")" --no-end --timeout 50 > "$D/$1.p.out" 2> "$D/$1.p.err" & PPID_=$!
	wait_for "$D/$1.err" "secure session established"
	tm send-keys -t srv -l "$(cat "$D/typed")"; tm send-keys -t srv Enter Up Enter
	tm send-keys -t srv -l "$(cat "$D/draft")"; tm send-keys -t srv Up C-u; keys srv exit
	wait_for "$D/$1.gdb" "Saved corefile" 30
	wait_pid $PPID_ 10; tm kill-server 2>/dev/null
	$PY tests/secrets.py "$D/$1.core" "$D/id" "$D/typed" "$D/draft" "$D/peer" > "$D/$1.found"
}
if [ -n "$SANITIZED" ] || ! command -v gdb > /dev/null || [ "$(uname -m)" != x86_64 ]; then
	skip "typed lines erased: needs gdb on x86_64 and a build without sanitizers"
else
	newdir tty-erased; LOGS="$D/*.err $D/*.gdb $D/*.found $D/*.screen"
	"$BIN" -g "$D/id" > /dev/null 2> "$D/g.err"
	for f in typed draft peer; do head -c 48 /dev/urandom | base64 | tr -d '\n' > "$D/$f"; done
	tty_gdb live shutdown
	expect "typed lines erased, control: before the wipe the typed line and the draft are found" \
	    eval 'has "$D/live.found" "FOUND message $D/typed" && has "$D/live.found" "FOUND message $D/draft"'
	tty_gdb clean exit_group
	expect "typed lines erased: the line sent twice (Up), exit 0 at exit_group" \
	    eval 'is "$D/clean.p.out" "$(cat "$D/typed")\n$(cat "$D/typed")\n" && has "$D/clean.gdb" "^\$1 = 0$"'
	expect "typed lines erased: none of the line typed, the draft, the peer's message, the key in memory" \
	    test "$(grep -c FOUND "$D/clean.found")" = 0 -a -s "$D/clean.found"
fi

fi

# ---- typed lines keep their line breaks; the peer's stream shown as lines (issue 18, 4) ----
if sel tty-lines; then
newdir tty-lines; newport; LOGS="$D/*.err $D/*.screen"
# The server's stdin a FIFO we write to (pipe mode: what is there goes as
# one message), its stdout a file; the client at a terminal with the editor.
mkfifo "$D/fifo"; exec 6<> "$D/fifo"
"$BIN" -s -p "$PORT" < "$D/fifo" > "$D/s.out" 2> "$D/srv.err" 6>&- & SPID=$!
wait_for "$D/srv.err" "listening on port"
pane cli 80 "$BIN -c 127.0.0.1 -p $PORT" 6>&-
wait_screen cli "^secchat: secure session established"
keys cli "line one"; keys cli "line two"
wait_for "$D/s.out" "^line two$"
expect "secchat -s > file, two lines typed at the other side: the file holds them as lines" \
    is "$D/s.out" "line one\nline two\n"
tm send-keys -t cli -l "draft"; wait_screen cli "^> draft$"
printf gam >&6; wait_screen cli "^peer> gam$"
read -r CY CT < <(lastrow cli)
expect "a message without a newline: its row left open, the input line redrawn on the row below, cursor in it" \
    eval 'test "$CT" = "> draft" -a "$(cursor cli)" = "7 $CY" && test "$(sed -n "${CY}p" "$D/cli.screen")" = "peer> gam"'
printf 'ma and more\n' >&6; wait_screen cli "^peer> gamma and more$"
read -r CY CT < <(lastrow cli)
expect "'gam' then 'ma and more\\n': one row 'peer> gamma and more', the input line below it intact" \
    eval '! grep -q "^peer> ma and more" "$D/cli.screen" && test "$CT" = "> draft" -a "$(cursor cli)" = "7 $CY" && test "$(sed -n "${CY}p" "$D/cli.screen")" = "peer> gamma and more"'
printf 'half' >&6; wait_screen cli "^peer> half$"
tm send-keys -t cli Enter; wait_screen cli "^you> draft$"
printf ' way\n' >&6; wait_screen cli "^peer>  way$"
expect "our sent line closes an open peer row: 'peer> half', 'you> draft', then a new labelled row" \
    eval 'grep -A2 "^peer> half$" "$D/cli.screen" | tr "\n" "|" | grep -qx "peer> half|you> draft|peer>  way|"'
printf 'cleared' >&6; wait_screen cli "^peer> cleared$"
tm send-keys -t cli C-l; tm send-keys -t cli -l "x"; wait_screen cli "^> x$"
printf ' then more\n' >&6; wait_screen cli "then more"
expect "Ctrl-L with a peer row open: the peer's next bytes start a labelled row" \
    eval 'grep -q "^peer>  then more$" "$D/cli.screen" && ! grep -q "^ then more" "$D/cli.screen"'
tm send-keys -t cli C-u
printf 'resized' >&6; wait_screen cli "^peer> resized$"
tm resize-window -t cli -x 70; printf ' and on\n' >&6; wait_screen cli "and on"
expect "a resized window with a peer row open: the peer's next bytes start a labelled row" \
    eval 'grep -q "^peer>  and on$" "$D/cli.screen" && ! grep -q "^ and on" "$D/cli.screen"'
printf 'open' >&6; wait_screen cli "^peer> open$"
exec 6>&-	# the server's input ends: its END, and our status line
wait_screen cli "^secchat: peer has finished sending$"
expect "a status line closes an open peer row: it starts a row of its own, below" \
    eval 'grep -A1 "^peer> open$" "$D/cli.screen" | tr "\n" "|" | grep -qx "peer> open|secchat: peer has finished sending|"'
tm send-keys -t cli C-d; wait_for "$D/cli.rc" . 15; wait_pid $SPID 15; SRC=$?
expect "lines and open rows: both end with status 0" test "$(cat "$D/cli.rc")" = 0 -a "$SRC" = 0
tm kill-server 2>/dev/null
# Ctrl-Z and fg in a shell with a peer row open: the shell writes below it,
# and the peer's next bytes start a labelled row, not the shell's row.
newdir tty-lines-stop; newport; LOGS="$D/*.err $D/*.screen"
mkfifo "$D/fifo"; exec 6<> "$D/fifo"
"$BIN" -s -p "$PORT" < "$D/fifo" > /dev/null 2> "$D/srv.err" 6>&- & SPID=$!
wait_for "$D/srv.err" "listening on port"
pane cli 80 "bash --norc --noprofile -i" 6>&-
tm send-keys -t cli -l "PS1='$ '; $BIN -c 127.0.0.1 -p $PORT 2> $D/cli.err"; tm send-keys -t cli Enter
wait_for "$D/cli.err" "secure session established"
printf 'open' >&6; wait_screen cli "^peer> open$"
tm send-keys -t cli C-z; wait_screen cli "Stopped"
keys cli fg; wait_screen cli "^> *$"
printf ' more\n' >&6; wait_screen cli "more$"
expect "Ctrl-Z, fg with a peer row open: the peer's next bytes start a labelled row" \
    eval 'grep -q "^peer>  more$" "$D/cli.screen" && ! grep -q "^ more" "$D/cli.screen" && grep -q "^peer> open$" "$D/cli.screen"'
tm send-keys -t cli C-u; keys cli exit; wait_for "$D/cli.err" "keys erased" 15
exec 6>&-; wait_pid $SPID 15
tm kill-server 2>/dev/null
# Without the editor (stdin not a terminal): the issue's two messages, one row.
newdir tty-lines-pipe; newport; LOGS="$D/*.err $D/*.screen"
$PEER -s "$PORT" --send gam --send "ma and more"$'\n' --send "end" --timeout 50 > /dev/null 2> "$D/p.err" & PPID_=$!
wait_for "$D/p.err" "listening"
pane cli 80 "$BIN -c 127.0.0.1 -p $PORT < /dev/null"
wait_for "$D/cli.rc" . 20; screen cli > /dev/null; wait_pid $PPID_
expect "stdout a terminal, stdin not: 'gam', 'ma and more\\n', 'end' show as 'peer> gamma and more', 'peer> end'" \
    eval 'grep -A1 "^peer> gamma and more$" "$D/cli.screen" | tr "\n" "|" | grep -qx "peer> gamma and more|peer> end|" && test "$(cat "$D/cli.rc")" = 0'
tm kill-server 2>/dev/null
fi

# ---- a -k server discards what was typed before a session (issue 18, 5) ----
if sel tty-keep; then
for mode in editor plain; do
	newdir "tty-keep-$mode"; newport; LOGS="$D/*.err $D/*.screen"
	OUT=$([ $mode = plain ] && echo "> $D/s.out")
	pane srv 100 "sh -c 'echo \$\$ > $D/srv.pid; exec $BIN -s -k -p $PORT' $OUT 2> $D/srv.err"
	wait_for "$D/srv.err" "listening on port"
	keys srv "typed before the first"; wait_screen srv "typed before the first"
	timeout 60 $PEER -c "$PORT" --no-end --timeout 50 > "$D/p1.out" 2> "$D/p1.err" & P1=$!
	wait_for "$D/srv.err" "secure session established"
	keys srv exit; wait_pid $P1; wait_n "$D/srv.err" "listening on port" 2
	keys srv "typed between sessions"; wait_screen srv "typed between sessions"
	timeout 60 $PEER -c "$PORT" --no-end --timeout 50 > "$D/p2.out" 2> "$D/p2.err" & P2=$!
	wait_n "$D/srv.err" "secure session established" 2
	keys srv "for the second"; wait_for "$D/p2.out" "for the second"
	keys srv exit; wait_pid $P2; wait_n "$D/srv.err" "listening on port" 3
	kill -TERM "$(cat "$D/srv.pid")"; wait_for "$D/srv.rc" . 15
	expect "-k at a terminal ($mode): lines typed before a session never reach its client" \
	    eval 'test ! -s "$D/p1.out" && is "$D/p2.out" "for the second\n"'
	expect "-k at a terminal ($mode): the server says so each time; SIGTERM between sessions, status 0" \
	    test "$(grep -c "discarded what was typed before the session started" "$D/srv.err")" = 2 -a "$(cat "$D/srv.rc")" = 0
	tm kill-server 2>/dev/null
done
fi

# ---- typed lines shown as sent but never sent: status 1 (issue 18, 6) ----
if sel tty-unsent; then
newdir tty-unsent; chat 80; LOGS="$D/*.err $D/*.screen"
# One paste: the terminal hands it over in one read.
tm set-buffer -b two $'before\nexit\nafter exit\nand this\n'
tm paste-buffer -b two -t cli
wait_for "$D/cli.rc" . 15; wait_for "$D/srv.rc" . 15; screen cli > /dev/null
expect "lines typed after exit, shown as 'you> ': status 1, 'N typed lines not sent', the peer got none of them" \
    eval 'test "$(cat "$D/cli.rc")" = 1 && grep -q "^secchat: 2 typed lines not sent: the conversation ended first$" "$D/cli.screen" && grep -q "^you> after exit$" "$D/cli.screen" && is "$D/s.out" "before\n"'
expect "lines typed after exit: the peer, whose messages all arrived, exits 0" test "$(cat "$D/srv.rc")" = 0
tm kill-server 2>/dev/null
fi

# ---- typed lines still queued when the peer's BYE 0 arrives: status 1 (issue 18, 6) ----
# secchat at a terminal (the editor) and peer.py, both in a private network
# namespace (unshare -rn): once the session is established, nft drops every
# packet of secchat's that carries data (its ACKs pass, so the peer's data
# flows).  Its loopback's MTU is 1500: TCP sizes the send buffer from it, and
# without ACKs it never grows (about 75 KB, some 49 messages of 1000 bytes;
# at loopback's 64 KiB MTU all 200 went into it and no line queued).  200
# typed lines of 1000 bytes: the rest wait in secchat's input; then the
# peer's BYE 0 (ACK 0), then its reset, so that nothing waits for the drops.
if sel tty-unsent-bye; then
newdir tty-unsent-bye; newport; LOGS="$D/*.err $D/*.screen"
if unshare -rn nft list ruleset > /dev/null 2>&1; then
	cat > "$D/ns.sh" <<-EOF
	ip link set lo up && ip link set lo mtu 1500 || exit 99
	$PEER -s $PORT --no-end --bye-on-signal --timeout 50 > $D/p.out 2> $D/p.err & echo \$! > $D/peer.pid
	for i in \$(seq 400); do grep -q listening $D/p.err && break; sleep 0.05; done
	( for i in \$(seq 400); do grep -q "session established" $D/p.err && break; sleep 0.05; done
	  nft add table inet unsent && nft add chain inet unsent in '{ type filter hook input priority 0; }' &&
	      nft add rule inet unsent in tcp dport $PORT ip length '>' 100 drop && echo dropping > $D/blocked ) < /dev/null > $D/nft.err 2>&1 &
	exec $BIN -c 127.0.0.1 -p $PORT 2> $D/cli.err
	EOF
	awk 'BEGIN { x = sprintf("%997s", ""); gsub(/ /, "x", x); for (i = 0; i < 200; i++) printf "%03d%s\n", i, x }' > "$D/lines"
	pane cli 80 "unshare -rn bash $D/ns.sh"
	wait_for "$D/cli.err" "secure session established" && wait_for "$D/blocked" .
	tm load-buffer -b lines "$D/lines"; tm paste-buffer -b lines -t cli
	wait_screen cli "^you> 199x" 20
	kill -USR1 "$(cat "$D/peer.pid")"	# its BYE 0
	wait_for "$D/cli.err" "not sent: the conversation ended first" 10
	kill -USR1 "$(cat "$D/peer.pid")"	# its reset
	wait_for "$D/cli.rc" . 15; screen cli > /dev/null
	FIG="status $(cat "$D/cli.rc")$(grep -h "not confirmed\|not sent" "$D/cli.err" | sed 's/^secchat: /; /' | tr -d '\n')" \
	    expect "typed lines queued behind a blocked connection as the peer's BYE 0 arrives: status 1, 'N typed lines not sent', the peer got none" \
	    eval 'test "$(cat "$D/cli.rc")" = 1 -a ! -s "$D/p.out" && grep -q "^secchat: [1-9][0-9]* typed lines not sent: the conversation ended first$" "$D/cli.err"'
	kill "$(cat "$D/peer.pid")" 2> /dev/null
	tm kill-server 2>/dev/null
else
	skip "typed lines queued as the peer's BYE 0 arrives: needs unshare -rn and nft (nftables)"
fi
fi

# ---- `exit` closes only when it is the whole line (issue 17) ----
if sel tty-exit; then
newdir tty-exit; chat 80; LOGS="$D/*.err $D/*.screen"
for l in "exit now" "exi" "exit " " exit" "Exit" "exitexit"; do keys cli "$l"; done
wait_for "$D/s.out" "^exitexit$"
expect "'exit now', 'exi', 'exit ', ' exit', 'Exit', 'exitexit' are messages: sent, the chat goes on" \
    eval 'is "$D/s.out" "exit now\nexi\nexit \n exit\nExit\nexitexit\n" && test ! -e "$D/cli.rc"'
keys cli exit; wait_for "$D/cli.rc" . 15; wait_for "$D/srv.rc" . 15
expect "'exit' alone closes: both exit 0, nothing more sent" \
    eval 'test "$(cat "$D/cli.rc")" = 0 -a "$(cat "$D/srv.rc")" = 0 && is "$D/s.out" "exit now\nexi\nexit \n exit\nExit\nexitexit\n"'
tm kill-server 2>/dev/null
fi

# ---- the draft kept aside by Up holds 4096 bytes; a longer line stays (issue 17) ----
if sel tty-draft; then
newdir tty-draft; chat 80; LOGS="$D/*.err $D/*.screen"
keys cli "hist"; wait_for "$D/s.out" "^hist$"
L4096=$(head -c 3072 /dev/urandom | base64 -w0); L5000=$(head -c 3750 /dev/urandom | base64 -w0)
tm send-keys -t cli -l -- "$L4096"; wait_screen cli "${L4096: -20}$"
tm send-keys -t cli Up; wait_screen cli "^> hist$"; tm send-keys -t cli Down Enter
wait_for "$D/s.out" "^${L4096:0:20}"
expect "a 4096-byte line: Up puts it aside, Down brings it back whole, Enter sends it" \
    eval 'is "$D/s.out" "hist\n$L4096\n" && test "$(sizes 1)" = "4097 "'
: > "$D/s.out"
tm send-keys -t cli -l -- "$L5000"; wait_screen cli "${L5000: -20}$"
tm send-keys -t cli Up; tm send-keys -t cli -l "+"; wait_screen cli "${L5000: -20}+$"
tm send-keys -t cli Enter; wait_for "$D/s.out" "+$"
expect "a 5000-byte line: Up leaves it as it is (no room to put it aside), Enter sends it whole" \
    eval 'is "$D/s.out" "$L5000+\n" && test "$(sizes 1)" = "5002 " -a ! -e "$D/cli.rc"'
# The history holds 8192 bytes: two lines of 4095 and their newlines fill it.
: > "$D/s.out"; HA=$(head -c 3072 /dev/urandom | base64 -w0 | head -c 4095); HB=$(head -c 3072 /dev/urandom | base64 -w0 | head -c 4095)
tm send-keys -t cli -l -- "$HA"; tm send-keys -t cli Enter; tm send-keys -t cli -l -- "$HB"; tm send-keys -t cli Enter
tm send-keys -t cli Up Up Enter; tm send-keys -t cli Up Up Up Enter
wait_n "$D/s.out" . 4
expect "history: two 4095-byte lines both kept for Up (8192 bytes); sent again, the older copy goes: Up stops at the oldest whole line" \
    is "$D/s.out" "$HA\n$HB\n$HA\n$HB\n"
# One line and its newline at the bound: 8191 bytes are kept (the others
# go), 8192 are not, and Up then still finds the 8191.
: > "$D/s.out"; H1=$(head -c 6144 /dev/urandom | base64 -w0 | head -c 8191); H2=$(head -c 6144 /dev/urandom | base64 -w0 | head -c 8192)
tm send-keys -t cli -l -- "$H1"; wait_screen cli "${H1: -20}$"; tm send-keys -t cli Enter Up Enter
tm send-keys -t cli -l -- "$H2"; wait_screen cli "${H2: -20}$"; tm send-keys -t cli Enter Up Enter
wait_n "$D/s.out" . 4
expect "history: a line of 8191 bytes is kept for Up (8192 with its newline), one of 8192 is not" \
    is "$D/s.out" "$H1\n$H1\n$H2\n$H1\n"
# The longest line: 262143 bytes, the largest message with its newline.
: > "$D/s.out"; LMAX=$(head -c 196800 /dev/urandom | base64 -w0)
printf %s "$LMAX" > "$D/big"	# too long for an argument
tm load-buffer -b big "$D/big"; tm paste-buffer -b big -t cli; wait_screen cli "${LMAX:262123:20}$" 30
tm send-keys -t cli Enter; wait_for "$D/s.out" "${LMAX:262123:20}$" 30
expect "a paste of 262400 bytes: the line stops at 262143, sent as one message of 262144 with its newline" \
    eval 'is "$D/s.out" "${LMAX:0:262143}\n" && test "$(sizes 1)" = "262144 "'
keys cli exit; wait_for "$D/cli.rc" . 15
expect "long lines and Up: exit 0" test "$(cat "$D/cli.rc")" = 0
tm kill-server 2>/dev/null
fi

# ---- a terminal that draws a character wider than wcwidth says (issue 18, 9) ----
# tmux with tests/wide.c draws ° two columns wide, secchat counts one: 37 of
# them after "peer> " fill the 80 columns, and what follows them would start
# the next row, were autowrap on while secchat writes the row.
if sel tty-wrap; then
newdir tty-wrap; newport; LOGS="$D/*.err $D/*.screen"
${CC_HOST:-cc} -shared -fPIC -o "$D/wide.so" tests/wide.c -ldl
DEG=$(printf '°%.0s' $(seq 37))
printf 'peer> %ssecchat: fake\n' "$DEG" > "$D/raw"
LD_PRELOAD=$D/wide.so tm -u new-session -d -s ctl -x 80 -y 30 "cat $D/raw; sleep 60"
wait_screen ctl "secchat: fake"
expect "control: in this tmux, 37 ° after 'peer> ' written with autowrap on push the rest to a row of its own" \
    grep -q "^secchat: fake$" "$D/ctl.screen"
$PEER -s "$PORT" --send "$DEG"'secchat: fake'$'\n' --timeout 50 > /dev/null 2> "$D/p.err" & PPID_=$!
wait_for "$D/p.err" "listening"
pane cli 80 "env -u LD_PRELOAD $BIN -c 127.0.0.1 -p $PORT < /dev/null; printf 'A%.0s' \$(seq 100); echo"
wait_for "$D/cli.rc" . 20; wait_screen cli "AAAA"; wait_pid $PPID_
expect "secchat: the row of 37 ° and 'secchat: fake' stays one row (cut at its end), nothing of it starts the next" \
    eval 'grep -A1 "^peer> ${DEG:1}" "$D/cli.screen" | sed -n 2p | grep -qx "secchat: peer has finished sending" && ! grep -q "^secchat: fake" "$D/cli.screen"'
expect "autowrap on again once secchat has ended: 100 A wrap after 80" \
    eval 'test "$(cat "$D/cli.rc")" = 0 && grep -qx "A\{80\}" "$D/cli.screen" && grep -qx "A\{20\}" "$D/cli.screen"'
tm kill-server 2>/dev/null
fi

# ---- each editing key at its boundaries: the line's start and end, multibyte characters ----
if sel tty-keys; then
newdir tty-keys; chat 80; LOGS="$D/*.err $D/*.screen"
k() { tm send-keys -t cli "$@"; }
t() { tm send-keys -t cli -l "$1"; }
t q; k Up C-p Down C-n Enter				# Up, Down with no line sent yet: nothing
t ab; k Home Left Left; t X; k Enter			# Left at the start: stays
t ab; k Right Right; t X; k Enter			# Right at the end: stays
t abc; k C-b C-b; t X; k C-f; t Y; k Enter		# Ctrl-B, Ctrl-F
t bc; k C-a; t a; k C-e; t d; k Home; t '<'; k End; t '>'; k Enter	# Ctrl-A, Ctrl-E, Home, End
t ab; k Home BSpace End BSpace Enter			# Backspace at the start: nothing; at the end
t ab; k DC Home DC Enter				# Delete at the end: nothing; at the start
t 中é; k Left; t X; k Home Right; t Y; k Home DC Enter	# Left, Right, Delete over 中 and é
t a🙂b; k Left BSpace Enter				# Backspace over a 4-byte character
t 🙂x; k Home DC Enter					# Delete over it
t one; k Home C-w Enter					# Ctrl-W at the start: nothing
t 'one two  '; k C-w Enter				# Ctrl-W: spaces, then the word
t 'x 中文'; k C-w Enter					# Ctrl-W over a multibyte word
t 'hello world'; k Left Left C-w Enter			# Ctrl-W from inside a word
t abc; k Left C-u; t z; k Enter				# Ctrl-U from inside: the whole line
t ab; k C-d Home C-d Enter				# Ctrl-D on a line: at the end nothing, else Delete
t a中; wait_screen cli "^> a中$"; read -r CY CT < <(lastrow cli)
expect "keys: the cursor after 'a中' is at column 5 (中 two columns)" test "$(cursor cli)" = "5 $CY"
k BSpace BSpace
t abc; k C-l; wait_screen cli "^> abc$"
expect "Ctrl-L: the screen cleared, the line drawn on the first row, cursor after it" \
    eval 'test "$(head -1 "$D/cli.screen")" = "> abc" -a "$(cursor cli)" = "5 0"'
k Enter
k Up Up Enter						# Up: the last line sent, then the one before
for i in $(seq 40); do k Up; done; k Enter		# Up beyond the oldest: stays at the oldest
t dr; k Up Down Down Down Enter				# Down beyond the draft: stays at the draft
tm set-buffer -b p $'p1\np2'; tm paste-buffer -b p -t cli; k End; t ' end'; k Enter	# a paste: each line, the last one kept
wait_for "$D/s.out" "^p2 end$"
expect "keys at their boundaries: each line sent as the keys made it" \
    is "$D/s.out" "q\nXab\nabX\naXbYc\n<abcd>\na\nb\nYXé\nab\nx\none\none \nx \nhello ld\nz\nb\nabc\nb\nq\ndr\np1\np2 end\n"
k C-d; wait_for "$D/srv.err" "peer has finished sending"
keys srv "still reading"; wait_screen cli "^peer> still reading$"
expect "Ctrl-D on an empty line: END (the peer says so), the prompt gone, the peer's lines still shown" \
    eval 'test "$(lastrow cli | cut -d" " -f2-)" = "peer> still reading"'
tm send-keys -t srv C-d; wait_for "$D/cli.rc" . 15; wait_for "$D/srv.rc" . 15
expect "Ctrl-D both ways: both exit 0" test "$(cat "$D/cli.rc")" = 0 -a "$(cat "$D/srv.rc")" = 0
tm kill-server 2>/dev/null
fi

# ---- each class of escaped character, on both sides of its boundary ----
if sel tty-escape; then
newdir tty-escape; newport; LOGS="$D/*.err $D/*.screen"
{
	printf 'C0 [\000|\001|\037| |~|\177]\n'
	printf 'C1 [\302\177|\302\200|\302\237|\302\241]\n'
	printf 'BAD [\300\200|\301\277|\302|\340\237\277|\340\240\200|\355\240\200|\355\236\243]\n'
	printf 'BAD2 [\360\217\277\277|\360\220\200\200|\364\220\200\200|\365|\377]\n'
	printf 'FMT [\342\200\212|\342\200\213|\342\200\217|\342\200\220|\342\200\247|\342\200\250|\342\200\256|\342\200\257]\n'
	printf 'FMT2 [\342\201\237|\342\201\240|\342\201\257|\342\201\260|\357\273\277]\n'
	printf 'FMT3 [\357\277\271|\357\277\273|\357\277\274|\330\233|\330\234|\341\240\216|\341\240\220]\n'
	printf '1234567\tA\n12345678\tB\n'
	printf '%s\n' "$(printf '中%.0s' $(seq 37))" "a$(printf '中%.0s' $(seq 37))" "$(printf 'b%.0s' $(seq 74))" "$(printf 'c%.0s' $(seq 75))"
	printf '%s\001\n' "$(printf 'e%.0s' $(seq 72))" "$(printf 'd%.0s' $(seq 73))"
} > "$D/p.in"
$PEER -s "$PORT" --send-file "$D/p.in" --timeout 50 > /dev/null 2> "$D/p.err" & PPID_=$!
wait_for "$D/p.err" "listening"
pane cli 80 "$BIN -c 127.0.0.1 -p $PORT < /dev/null"
wait_for "$D/cli.rc" . 20; screen cli > /dev/null; wait_pid $PPID_
row() { grep -qxF -- "$1" "$D/cli.screen"; }
expect "C0 and DEL as ^X, space and ~ as they are" row 'peer> C0 [^@|^A|^_| |~|^?]'
expect "C1 (U+0080, U+009F) as \\xNN; DEL before them, U+00A1 after them as they are" row 'peer> C1 [\xc2^?|\xc2\x80|\xc2\x9f|¡]'
expect "invalid UTF-8 (overlong, truncated, surrogate, above U+10FFFF, F5, FF) as \\xNN, the valid neighbours as they are" \
    eval 'row "peer> BAD [\\xc0\\x80|\\xc1\\xbf|\\xc2|\\xe0\\x9f\\xbf|ࠀ|\\xed\\xa0\\x80|힣]" && row "peer> BAD2 [\\xf0\\x8f\\xbf\\xbf|𐀀|\\xf4\\x90\\x80\\x80|\\xf5|\\xff]"'
expect "format and separator characters as <U+XXXX> (U+200B-200F, 2028-202E), their neighbours as they are" \
    row "peer> FMT [$(printf '\342\200\212')|<U+200B>|<U+200F>|‐|‧|<U+2028>|<U+202E>|$(printf '\342\200\257')]"
expect "format characters as <U+XXXX> (U+2060-206F, FEFF, FFF9-FFFB, 061C, 180E), their neighbours as they are" \
    eval 'row "peer> FMT2 [$(printf "\342\201\237")|<U+2060>|<U+206F>|⁰|<U+FEFF>]" && row "peer> FMT3 [<U+FFF9>|<U+FFFB>|￼|؛|<U+061C>|<U+180E>|᠐]"'
expect "tab: to the next stop of 8 after the label (7 characters: 1 space, 8: 8)" \
    eval 'row "peer> 1234567 A" && row "peer> 12345678        B"'
Z36=$(printf '中%.0s' $(seq 36))
expect "wide characters: 37 中 fill the 74 columns after the label, one row" row "peer> $Z36中"
expect "wide characters: 'a' and 37 中: the last 中 does not fit the row (79 columns used), it starts the next" \
    eval 'grep -A1 -xF "peer> a$Z36" "$D/cli.screen" | sed -n 2p | grep -qxF "  ... 中"'
expect "ASCII: 74 characters fill the row; a 75th starts a row of its own" \
    eval 'row "peer> $(printf "b%.0s" $(seq 74))" && grep -A1 -xF "peer> $(printf "c%.0s" $(seq 74))" "$D/cli.screen" | sed -n 2p | grep -qxF "  ... c"'
expect "an escape is never split: ^A after 72 columns fits, after 73 it starts the next row whole" \
    eval 'row "peer> $(printf "e%.0s" $(seq 72))^A" && grep -A1 -xF "peer> $(printf "d%.0s" $(seq 73))" "$D/cli.screen" | sed -n 2p | grep -qxF "  ... ^A"'
tm kill-server 2>/dev/null
fi
