# tests/rules.sh: the audit's survivors (issue 17). sourced by test.sh (see PARTS there); sections as in test.sh,
# each between "if sel NAME; then" and "fi".
