#!/usr/bin/env bash
# tests/cross.sh ARCH...: build secchat-ARCH for each ARCH (armhf, arm64,
# mipsel, mips) with Debian's cross gcc, then run it under qemu-user against
# the native ./secchat in both roles (tests/interop.sh), and the first MIPS
# build as a -k server with two clients back to back (tests/kback.py).
# armhf, arm64 and mipsel link Debian's libmbedtls-dev:ARCH; big-endian mips
# is not a Debian architecture, so it gets Mbed TLS 2.28 built by
# tests/mbedtls.sh.
# CFLAGS and LDFLAGS are used as make's are.
set -u
cd "$(dirname "$0")/.."
cmds=()
for arch in "$@"; do
	case $arch in
	armhf)	triple=arm-linux-gnueabihf qemu=qemu-arm ;;
	arm64)	triple=aarch64-linux-gnu qemu=qemu-aarch64 ;;
	mipsel)	triple=mipsel-linux-gnu qemu=qemu-mipsel ;;
	mips)	triple=mips-linux-gnu qemu=qemu-mips ;;
	*)	echo "$0: unknown architecture $arch" >&2; exit 2 ;;
	esac
	inc= lib=-lmbedcrypto
	if [ "$arch" = mips ]; then
		d=$(tests/mbedtls.sh 2.28 $triple-gcc) || exit 1
		inc=-I$d/include lib=$d/lib/libmbedcrypto.a
	fi
	$triple-gcc -Wall -Wextra -Werror ${CFLAGS:--O2} $inc ${LDFLAGS:-} \
	    -o secchat-$arch secchat.c $lib -pthread || exit 1
	cmds+=("$qemu -L /usr/$triple ./secchat-$arch")
done
# A -k server on an emulated board, two clients back to back: the next key
# is made during the first session, so the second does not wait for it.
for i in "${!cmds[@]}"; do
	case ${cmds[i]} in *mips*)
		if python3 tests/kback.py "${cmds[i]}" ./secchat 2048 $((9000 + $$ % 500)) 1.0 0.5 > kback.out; then
			echo "ok - -k back to back, ${cmds[i]##* }"; sed -n 's/^# /    figures: /p' kback.out
		else
			echo "FAIL - -k back to back, ${cmds[i]##* }"; cat kback.out; rm -f kback.out; exit 1
		fi
		rm -f kback.out
		break ;;
	esac
done
exec tests/interop.sh ./secchat "${cmds[@]}"
