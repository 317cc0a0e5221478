#!/usr/bin/env bash
# tests/mbedtls.sh VERSION [CC [CONFIG]]: build Mbed TLS VERSION (2.28 or 3.6)
# from Debian's source package with compiler CC (default cc), optionally
# with the config header CONFIG in place of the default one, and print the
# directory it is installed in (include/, lib/ with static libraries only).
# 3.6's default config gets MBEDTLS_PLATFORM_MEMORY: secchat then wipes
# every block the library frees (3.6 frees some secrets unwiped).
#
# Builds are cached in $SECCHAT_CACHE (default /var/cache/secchat), one
# directory per version, target and config, and reused: a build runs only
# when its directory is missing.  Sources come only through apt-get source,
# pinned, from deb-src entries that reuse the URIs of the machine's own apt
# sources (bookworm has 2.28, trixie 3.6).  Needs root the first time
# (it adds the deb-src entries), dpkg-dev and cmake.
set -eu
case ${1:-} in
2.28)	DEBVER=2.28.3-1 SUITE=bookworm CONF=config.h SET= ;;
3.6)	DEBVER=3.6.6-0.1~deb13u1 SUITE=trixie CONF=mbedtls_config.h SET=MBEDTLS_PLATFORM_MEMORY ;;
*)	echo "usage: $0 2.28|3.6 [cc [config.h]]" >&2; exit 2 ;;
esac
CC=${2:-cc}
CONFIG=${3:+$(realpath "$3")}
CACHE=${SECCHAT_CACHE:-/var/cache/secchat}
UPVER=${DEBVER%-*}

# The target's name; musl-gcc says x86_64-linux-gnu like the gcc it wraps.
MACHINE=$($CC -dumpmachine)
case ${CC##*/} in *musl*) MACHINE=${MACHINE%%-*}-linux-musl ;; esac
NAME=mbedtls-$DEBVER-$MACHINE
if [ -n "$CONFIG" ]; then
	NAME=$NAME-$(basename "$CONFIG" .h)-$(sha256sum < "$CONFIG" | cut -c1-8) SET=
elif [ -n "$SET" ]; then
	NAME=$NAME-$SET
fi
OUT=$CACHE/$NAME
if [ -f "$OUT/lib/libmbedcrypto.a" ]; then echo "$OUT"; exit 0; fi

mkdir -p "$CACHE"
exec 9> "$CACHE/.lock"	# one build at a time per machine
flock 9
if [ -f "$OUT/lib/libmbedcrypto.a" ]; then echo "$OUT"; exit 0; fi

# The URI of the machine's Debian archive, from deb822 .sources or sources.list.
debian_uri() {
	cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v RS= '{
		t = u = s = ""
		n = split($0, l, "\n")
		for (i = 1; i <= n; i++) {
			if (l[i] ~ /^Types:/) t = l[i] " "
			if (l[i] ~ /^URIs:/) u = l[i]
			if (l[i] ~ /^Suites:/) s = l[i] " "
		}
		if (t ~ / deb / && s ~ / bookworm /) { split(u, w, " "); print w[2]; exit }
	}'
	sed 's/\[[^]]*\]//' /etc/apt/sources.list 2>/dev/null |
	    awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }'
}

# The pinned source package: add deb-src entries only if apt does not know it.
SRC=$CACHE/src/$DEBVER
if [ ! -f "$SRC/done" ]; then
	if ! apt-cache showsrc mbedtls 2>/dev/null | grep -qx "Version: $DEBVER"; then
		uri=$(debian_uri | head -1)
		[ -n "$uri" ] || { echo "$0: no Debian archive in the apt sources" >&2; exit 1; }
		for suite in bookworm trixie; do
			printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\n' "$uri" "$suite"
			printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n'
		done > /etc/apt/sources.list.d/secchat-src.sources
		# A failing index elsewhere (another architecture, a syncing mirror)
		# must not stop us: apt-get source below says if ours is missing.
		apt-get update -qq >&2 || echo "$0: apt-get update reported errors" >&2
	fi
	rm -rf "$SRC"; mkdir -p "$SRC"
	(cd "$SRC" && apt-get source -qq --download-only "mbedtls=$DEBVER") >&2
	touch "$SRC/done"
fi

# Build in a fresh copy of the source (the config header is replaced in it).
B=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$B"' EXIT
cross=
[ "${MACHINE%%-*}" = "$(uname -m)" ] ||
    cross="-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=${MACHINE%%-*}"
build() {
	dpkg-source -x "$SRC"/mbedtls_*.dsc "$B/src" &&
	{ [ -z "$CONFIG" ] || cp "$CONFIG" "$B/src/include/mbedtls/$CONF"; } &&
	{ [ -z "$SET" ] || /usr/bin/python3 "$B/src/scripts/config.py" \
	    -f "$B/src/include/mbedtls/$CONF" set "$SET"; } &&
	cmake -S "$B/src" -B "$B/build" $cross -DCMAKE_C_COMPILER="$CC" \
	    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$B/out" \
	    -DCMAKE_INSTALL_LIBDIR=lib -DUSE_STATIC_MBEDTLS_LIBRARY=ON \
	    -DUSE_SHARED_MBEDTLS_LIBRARY=OFF -DENABLE_PROGRAMS=OFF \
	    -DENABLE_TESTING=OFF -DGEN_FILES=OFF -DPython3_EXECUTABLE=/usr/bin/python3 &&
	cmake --build "$B/build" -j"$(nproc)" &&
	cmake --install "$B/build"
}
echo "building $NAME" >&2
if ! build > "$B.log" 2>&1; then
	tail -30 "$B.log" >&2
	echo "$0: building $NAME failed, see $B.log" >&2
	exit 1
fi
rm -f "$B.log"
rm -rf "$OUT"
mv "$B/out" "$OUT"
echo "$OUT"
