# tests/edges.sh: promises at their edges (issue 18). sourced by test.sh (see PARTS there); sections as in test.sh,
# each between "if sel NAME; then" and "fi".
