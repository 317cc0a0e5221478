# tests/fs.sh: secchat/3's forward secrecy (issue 16). sourced by test.sh (see PARTS there); sections as in test.sh,
# each between "if sel NAME; then" and "fi".
