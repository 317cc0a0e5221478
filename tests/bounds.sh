# tests/bounds.sh: each rule at its boundary, see tests/RULES.md (issue 17). sourced by test.sh (see PARTS there); sections as in test.sh,
# each between "if sel NAME; then" and "fi".
