/*
 * secchat: an end-to-end encrypted two-party chat over one TCP connection,
 * on Mbed TLS's crypto library alone.
 *
 * Both sides make an RSA key, exchange public keys and ephemeral X25519 keys
 * in HELLO frames, and prove possession of their key by signing the
 * transcript (AUTH).  Every message is then AES-256-GCM under a key made from
 * a fresh key K, wrapped with RSA-OAEP to the peer, and from the X25519
 * secret, which never leaves memory: a stolen key file decrypts no recorded
 * session.  The whole frame is signed with RSA-PSS.  The protocol, secchat/3,
 * is described in README.md: the client commits to its HELLO before it sees the
 * server's, so that both people can compare a short safety code, and a
 * session ends well only when the peer's BYE acknowledges every message as
 * delivered.  This file reads top to bottom as: protocol constants, the
 * session, crypto, framing, the terminal, receiving, the I/O loop, the
 * network, main.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <mbedtls/version.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/entropy.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

/* The few differences between Mbed TLS 2.28 and 3.x. */
#if MBEDTLS_VERSION_NUMBER >= 0x04000000
#error "secchat needs Mbed TLS 2.28 or 3.x: 4.x removed the rsa, ctr_drbg and gcm APIs"
#elif MBEDTLS_VERSION_NUMBER >= 0x03000000
#define set_v21(rsa) mbedtls_rsa_set_padding((rsa), MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256)
#define parse_key(pk, b, n, drbg) mbedtls_pk_parse_key((pk), (b), (n), NULL, 0, \
	mbedtls_ctr_drbg_random, (drbg))
#else
#define set_v21(rsa) (mbedtls_rsa_set_padding((rsa), MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256), 0)
#define parse_key(pk, b, n, drbg) mbedtls_pk_parse_key((pk), (b), (n), NULL, 0)
#endif
#if defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif
/*
 * Mbed TLS 3.6.6 frees the workspace of its modular inverse unwiped:
 * q^-1 mod p of every key made, the blinding values of every private-key
 * operation.  Where the library takes an allocator, ours wipes every block
 * it frees, its size kept in a header in front of it.
 */
#if defined(MBEDTLS_PLATFORM_MEMORY) && !defined(MBEDTLS_PLATFORM_FREE_MACRO)
#include <mbedtls/platform.h>
#define WIPE_FREES 1

static void *
wipe_calloc(size_t n, size_t size)
{
	max_align_t *h;

	if (size != 0 && n > (SIZE_MAX - sizeof *h) / size)
		return NULL;
	if ((h = calloc(1, sizeof *h + n * size)) == NULL)
		return NULL;
	*(size_t *)h = n * size;
	return h + 1;
}

static void
wipe_free(void *p)
{
	max_align_t *h;

	if (p == NULL)
		return;
	h = (max_align_t *)p - 1;
	mbedtls_platform_zeroize(h, sizeof *h + *(size_t *)h);
	free(h);
}
#endif

/*
 * tests/fuzz.c's fast mode only: signatures and the unwrap of a message key
 * become cheap, deterministic stand-ins (SIG: the signed hash, then zeros;
 * WRAP: the key's length, then the key), so that the fuzzer's time goes to
 * the parsing and the session's rules, not to RSA.  Never in secchat: this
 * does not compile without the harness's own macro too.
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#ifndef SECCHAT_FUZZ_HARNESS
#error "FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION fakes every signature: for tests/fuzz.c only"
#endif
#define FUZZ_FAKE 1
#else
#define FUZZ_FAKE 0
#endif
/* Before these, RSA private-key operations may leak through timing (CVE-2024-23170). */
#define RSA_TIMING_LEAK (MBEDTLS_VERSION_NUMBER < 0x021c0700 || \
	(MBEDTLS_VERSION_NUMBER >= 0x03000000 && MBEDTLS_VERSION_NUMBER < 0x03050200))

/* secchat/3 */
#define PORT		"12345"
#define LABEL		"secchat/3"	/* L: binds every signature to this protocol */
#define LABEL_LEN	9
#define VERSION		3
#define SAS_LABEL	"secchat/3 safety code"
#define KEY_LABEL	"secchat/3 key"	/* the direction keys */
#define COMMIT_LEN	(2 + HASH_LEN)
#define NONCE_LEN	32
#define HASH_LEN	32		/* SHA-256 */
#define KEY_LEN		32		/* AES-256 message key */
#define EPH_LEN		32		/* X25519 public key, RFC 7748 */
#define HELLO_FIXED	(2 + NONCE_LEN + EPH_LEN)	/* the SPKI starts here */
#define TAG_LEN		16
#define MINBITS		2048
#define MAXBITS		4096
#define MAXMOD		(MAXBITS / 8)
#define MAXMSG		262144		/* largest message */
#define MAXBODY		(1 + 8 + MAXMOD + MAXMSG + TAG_LEN + MAXMOD)	/* 263193 */
#define MAXHS		1024		/* largest frame before the session is established */
#define MAXLINE		4096		/* the line being typed, kept while Up recalls others */
#define HISTSIZE	8192		/* the lines sent, for Up */
#define MAXCOLS		1024		/* wider terminals get rows this wide */
#define AAD_LEN		(LABEL_LEN + HASH_LEN + 1 + 1 + 8)

enum { T_HELLO = 1, T_AUTH, T_MSG, T_END, T_BYE, T_COMMIT };	/* frame types */
enum { R_USER, R_SIGNAL, R_LOCAL };			/* BYE reasons */

/* Limits in milliseconds. */
#define HS_TIMEOUT	30000	/* connection to established session */
#define STALL_TIMEOUT	30000	/* without a byte of a frame that has started */
#define BYE_WAIT	5000	/* our BYE 1 or 2 sent: for the peer's end of stream */
#define DRAIN_POLL	20	/* stdout's reader not done yet: look again */
/*
 * A peer whose machine vanished: keepalive probes after 30 s of silence, and
 * a connection whose data or probes go unacknowledged for 90 s is given up.
 * A live receiver that stops reading (a zero window) is cut after 90 s too,
 * so a pause of a minute is fine.
 */
#define KEEPIDLE	30	/* seconds */
#define KEEPINTVL	10
#define KEEPCNT		6
#define USER_TIMEOUT	90000	/* milliseconds */

#define HELLO_GAP	1	/* -k, seconds: after a HELLO that led to no session */
#define BACKLOG		256	/* -k: a flood during a session is reset at once, not left to retry its SYNs */

#define KEYBITS		2048	/* default size of a key we make */
#define MAXKEYFILE	16384	/* a PEM private key of 4096 bits is about 3.3 KB */
#define FP_LEN		52	/* "SHA256:", 43 base64 characters, NUL and room */

#define EXIT_USAGE	2
#define EXIT_PIN	3	/* the peer's key is not one we accepted */

enum { P_COMMIT, P_HELLO, P_AUTH, P_OPEN };	/* what we expect from the peer next */
enum { NET, IN, KEY, LISTEN };		/* poll slots */

struct session {
	/* For the whole run. */
	unsigned char dir;	/* our role byte: 's' or 'c' */
	int tty_in;		/* stdin is a terminal: a line is a message, `exit` closes */
	int tty_out;		/* stdout is a terminal: messages labelled, escaped, wrapped */
	int edit, shown;	/* both, TERM not dumb: our line editor; its line drawn */
	struct termios saved;	/* the terminal as we found it */
	int verbose;
	int keep;		/* -k: serve one client after another */
	int lfd;		/* -k: the listener, during a session; else -1 */
	int bits;		/* size of the keys we make */
	int fresh;		/* our key is made here, not read from a file (-i) */
	int used;		/* our key has protected an established session */
	char (*pin)[FP_LEN];	/* -a, -A: the only peer keys accepted, if any */
	size_t npin;
	int in_eof;		/* stdin ended: every later session starts with END */
	int sigseen;		/* signals already acted upon */
	int64_t tick;		/* key generation on a terminal: next progress dot */

	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context key;		/* ours, private */
	size_t ourlen;			/* its modulus length in bytes */
	/*
	 * Our ephemeral X25519 key, made when a HELLO needs one and wiped once
	 * it has made Z: a server keeps it through failed handshakes, so that
	 * strangers cannot make it compute more than one per session.
	 */
	mbedtls_ecp_group grp;
	mbedtls_mpi eph;		/* private; 0 when there is none */
	unsigned char ephpub[EPH_LEN];

	/*
	 * -k with fresh keys: the next key, made on a thread of its own while a
	 * session runs.  The thread touches only these, and its own DRBG.
	 */
	pthread_t keythread;
	int keygen;			/* 0 none, 1 being made, 2 made (joined) */
	int keypipe[2];			/* the thread writes a byte when done */
	int keyret;			/* the thread's result */
	int64_t keyms;			/* and how long it took */
	mbedtls_entropy_context kentropy;
	mbedtls_ctr_drbg_context kdrbg;
	mbedtls_pk_context next;

	/* For one connection: cleared when it ends, see reset(). */
	int fd;			/* the connection, non-blocking */
	int phase;
	int status;		/* exit status; the first cause decided wins */
	mbedtls_pk_context peer;	/* the peer's, from its HELLO */
	size_t peerlen;
	char peerfp[FP_LEN];		/* shown once its AUTH verifies */
	unsigned char commit[HASH_LEN];	/* server: the client's COMMIT */
	unsigned char t[HASH_LEN];	/* transcript hash */
	unsigned char peph[EPH_LEN];	/* the peer's EPH, from its HELLO */
	unsigned char kdir[2][HASH_LEN];	/* K_s and K_c */
	unsigned char hello[4 + MAXHS];	/* our HELLO frame, as sent */
	size_t hellolen;

	uint64_t txseq, rxseq;
	uint64_t nsent;			/* MSGs we sent */
	uint64_t written, acked;	/* the peer's MSGs written to stdout, and delivered */
	uint64_t peer_ack;		/* the ACK in the peer's BYE */
	int sent_end, got_end;
	int sent_bye, got_bye;		/* BYE reason, -1 while none */
	int quit;			/* the user typed exit: BYE 0 once delivered */
	int draining;			/* BYE 0 waits for stdout's reader */
	int shut;			/* our sending half is shut down */
	int out_broken;			/* stdout failed: drop what arrives */

	/* The line editor.  The line being typed is the last elen bytes of in[]. */
	size_t elen, epos;		/* its length and the cursor, in bytes */
	size_t hlen, hidx, dlen;	/* history in use, line recalled (0: none), draft */
	int keylen, esc, escn;		/* a UTF-8 key, an escape sequence being read */
	unsigned char ukey[4];
	unsigned char hist[HISTSIZE];	/* lines sent, each ended by '\n': plaintext */
	unsigned char draft[MAXLINE];	/* the line typed before Up: plaintext */

	int64_t t_conn;			/* when the connection came up */
	int64_t t_rx;			/* last byte of a frame in progress */
	int64_t t_bye;			/* when our BYE was queued */

	size_t rxlen, txoff, txlen, inlen;	/* in use in the buffers below */
	/*
	 * How far rx, tx and in were ever used: all that reset() has to wipe.
	 * Wiping the rest would make the kernel give us up to 750 KiB of
	 * memory we never needed.
	 */
	size_t rxmax, txmax, inmax;
	unsigned char rx[4 + MAXBODY];	/* the frame being received */
#ifdef SECCHAT_FUZZ_HARNESS
	/* cppcheck-suppress unusedStructMember */
	unsigned char rxguard[256];	/* poisoned by tests/fuzz.c: ASan sees a read past rx */
#endif
	unsigned char tx[4 + MAXBODY + 3 * (4 + MAXHS)];	/* send queue */
	unsigned char in[MAXMSG];	/* a terminal's lines not yet sent: plaintext */
};

/*
 * SIGINT, SIGTERM and SIGHUP are blocked once the key is made, except while
 * we wait in ppoll; the handler only counts them.
 */
static volatile sig_atomic_t got_sig;	/* the last one */
static volatile sig_atomic_t nsig;	/* how many arrived */
static volatile sig_atomic_t keystop;	/* the key thread must give up */
static sigset_t sigs;			/* the three */
static sigset_t waitmask;		/* the mask we were started with */

/*
 * While the line editor runs: SIGTSTP, SIGCONT and SIGWINCH, handled the same
 * way, and the session whose input line msg() must hide and redraw.
 */
static volatile sig_atomic_t got_tstp, got_cont, got_winch;
static struct session *editing;
static void term_line(int);
static void row_end(void);

/*
 * A peer row left open, its text not ended by a newline: the column it
 * reached, else 0.  The peer's next bytes continue it; anything else printed
 * ends it first (row_end).  With the editor, the input line is drawn on the
 * row below, the cursor's place at the open row's end saved (ESC 7).
 */
static int rowcol;

static const unsigned char zero_iv[12];

/* ---- messages ---- */

/* One status line on stderr, written whole. */
static void __attribute__((format(printf, 1, 0)))
vmsg(const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof line, fmt, ap);
	term_line(0);
	row_end();
	fprintf(stderr, "secchat: %s\n", line);
	term_line(1);
}

static void __attribute__((format(printf, 1, 2)))
msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/* End the session with a reason; returns -1 for the caller to pass up. */
static int __attribute__((format(printf, 2, 3)))
fail(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	if (s->status == 0)
		s->status = 1;
	return -1;
}

static int
tlsfail(struct session *s, const char *what, int ret)
{
	return fail(s, "%s failed: Mbed TLS error -0x%04x", what, (unsigned)-ret);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put64(unsigned char *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, (uint32_t)v);
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* All of it, through EINTR and a descriptor left non-blocking by our parent. */
static int
write_all(int fd, const unsigned char *p, size_t n)
{
	struct pollfd pw = { fd, POLLOUT, 0 };
	ssize_t r;

	while (n > 0) {
		if ((r = write(fd, p, n)) < 0) {
			if (errno == EINTR || (errno == EAGAIN && poll(&pw, 1, -1) >= 0))
				continue;	/* a stdout left non-blocking by our parent */
			return -1;
		}
		p += r;
		n -= r;
	}
	return 0;
}

static const char *
frame_name(int type)
{
	static const char *const names[] = { "?", "HELLO", "AUTH", "MSG", "END", "BYE", "COMMIT" };

	return type > 0 && type <= T_COMMIT ? names[type] : names[0];
}

/* -v: a frame as the seed showed it, base64 and shortened. */
static void
show_frame(const struct session *s, const char *way, const unsigned char *f, size_t len)
{
	unsigned char b64[90];
	size_t n = len < 60 ? len : 60, olen;

	if (!s->verbose || mbedtls_base64_encode(b64, sizeof b64, &olen, f, n) != 0)
		return;
	msg("%s %s, %zu bytes: %s%s", way, frame_name(len > 4 ? f[4] : 0), len, b64,
	    n < len ? "..." : "");
}

/* ---- crypto ---- */

static int
sha256(unsigned char out[HASH_LEN], const struct iovec *v, int n)
{
	mbedtls_md_context_t md;
	int i, ret;

	mbedtls_md_init(&md);
	ret = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 0);
	if (ret == 0)
		ret = mbedtls_md_starts(&md);
	for (i = 0; ret == 0 && i < n; i++)
		ret = mbedtls_md_update(&md, v[i].iov_base, v[i].iov_len);
	if (ret == 0)
		ret = mbedtls_md_finish(&md, out);
	mbedtls_md_free(&md);
	return ret;
}

/* What every signature covers: SHA-256(L || T || DIR || CONTENT). */
static int
signed_hash(const struct session *s, unsigned char dir, const unsigned char *c,
    size_t len, unsigned char h[HASH_LEN])
{
	struct iovec v[4] = {
		{ LABEL, LABEL_LEN }, { (void *)s->t, HASH_LEN }, { &dir, 1 }, { (void *)c, len }
	};

	return sha256(h, v, 4);
}

static int
sign(struct session *s, const unsigned char *c, size_t len, unsigned char *sig)
{
	unsigned char h[HASH_LEN];
	int ret;

	if ((ret = signed_hash(s, s->dir, c, len, h)) == 0) {
#if FUZZ_FAKE
		memset(sig, 0, s->ourlen);
		memcpy(sig, h, HASH_LEN);
#else
		ret = mbedtls_rsa_rsassa_pss_sign_ext(mbedtls_pk_rsa(s->key),
		    mbedtls_ctr_drbg_random, &s->drbg, MBEDTLS_MD_SHA256,
		    HASH_LEN, h, HASH_LEN, sig);
#endif
	}
	return ret;
}

/* Verify the peer's signature over a frame's content: cheap, so it comes first. */
static int
verify(const struct session *s, const unsigned char *c, size_t len)
{
	static const mbedtls_pk_rsassa_pss_options pss = { MBEDTLS_MD_SHA256, HASH_LEN };
	unsigned char h[HASH_LEN];
	int ret;

	if ((ret = signed_hash(s, s->dir == 's' ? 'c' : 's', c, len, h)) == 0) {
#if FUZZ_FAKE
		size_t i;

		(void)pss;
		ret = memcmp(c + len, h, HASH_LEN) != 0;
		for (i = HASH_LEN; i < s->peerlen; i++)
			ret |= c[len + i];
#else
		ret = mbedtls_pk_verify_ext(MBEDTLS_PK_RSASSA_PSS, &pss,
		    (mbedtls_pk_context *)&s->peer, MBEDTLS_MD_SHA256, h, HASH_LEN,
		    c + len, s->peerlen);
#endif
	}
	return ret;
}

/* The GCM AAD: L || T || DIR || 0x03 || SEQ, where b is the MSG content. */
static void
make_aad(const struct session *s, unsigned char dir, const unsigned char *b,
    unsigned char aad[AAD_LEN])
{
	memcpy(aad, LABEL, LABEL_LEN);	/* NOLINT(bugprone-not-null-terminated-result): bytes, not a string */
	memcpy(aad + LABEL_LEN, s->t, HASH_LEN);
	aad[LABEL_LEN + HASH_LEN] = dir;
	memcpy(aad + LABEL_LEN + HASH_LEN + 1, b, 9);
}

/* The GCM key of one MSG: SHA-256(K_DIR of its sender || K). */
static int
gcm_key(const struct session *s, unsigned char dir, const unsigned char *k,
    mbedtls_gcm_context *gcm)
{
	struct iovec v[2] = { { (void *)s->kdir[dir == 'c'], HASH_LEN }, { (void *)k, KEY_LEN } };
	unsigned char g[HASH_LEN];
	int ret;

	if ((ret = sha256(g, v, 2)) == 0)
		ret = mbedtls_gcm_setkey(gcm, MBEDTLS_CIPHER_ID_AES, g, 8 * KEY_LEN);
	mbedtls_platform_zeroize(g, sizeof g);
	return ret;
}

/*
 * Z = X25519(our ephemeral key, the peer's EPH), then the direction keys
 * K_DIR = SHA-256("secchat/3 key" || Z || T || DIR).  Our ephemeral key and
 * Z are wiped at once.  Mbed TLS refuses a low-order EPH itself (a Z of
 * zeros would come from one too); with no Z made, a -k server keeps its key,
 * as for any handshake that fails before a session.
 */
static int
session_keys(struct session *s)
{
	unsigned char z[EPH_LEN] = { 0 }, dir, nz = 0;
	struct iovec v[4] = { { KEY_LABEL, sizeof KEY_LABEL - 1 }, { z, sizeof z },
		{ s->t, HASH_LEN }, { &dir, 1 } };
	mbedtls_ecp_point q;
	mbedtls_mpi zm;
	size_t i;
	int ret;

	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&zm);
	if ((ret = mbedtls_ecp_point_read_binary(&s->grp, &q, s->peph, EPH_LEN)) == 0 &&
	    (ret = mbedtls_ecdh_compute_shared(&s->grp, &zm, &q, &s->eph,
	    mbedtls_ctr_drbg_random, &s->drbg)) == 0)
		ret = mbedtls_mpi_write_binary_le(&zm, z, sizeof z);
	mbedtls_mpi_free(&zm);
	mbedtls_ecp_point_free(&q);
	if (ret == 0)	/* used once: the next HELLO gets a new one */
		mbedtls_mpi_free(&s->eph);
	for (i = 0; i < sizeof z; i++)
		nz |= z[i];
	if (ret == MBEDTLS_ERR_ECP_INVALID_KEY || (ret == 0 && nz == 0))
		ret = fail(s, "handshake: the peer's ephemeral key is invalid - closing");
	else if (ret != 0)
		ret = tlsfail(s, "the key exchange", ret);
	for (i = 0; ret == 0 && i < 2; i++) {
		dir = "sc"[i];
		if ((ret = sha256(s->kdir[i], v, 4)) != 0)
			ret = tlsfail(s, "the session keys", ret);
	}
	mbedtls_platform_zeroize(z, sizeof z);
	return ret;
}

/* "SHA256:" and unpadded base64 of SHA-256 over the SPKI DER, as ssh shows it. */
static void
fingerprint(const unsigned char *der, size_t len, char out[FP_LEN])
{
	struct iovec v = { (void *)der, len };
	unsigned char h[HASH_LEN];
	size_t olen = 0;

	memcpy(out, "SHA256:", 7);
	if (sha256(h, &v, 1) != 0 ||
	    mbedtls_base64_encode((unsigned char *)out + 7, 45, &olen, h, HASH_LEN) != 0)
		olen = 0;
	while (olen > 0 && out[7 + olen - 1] == '=')
		olen--;
	out[7 + olen] = '\0';
}

/*
 * The safety code people compare aloud: SHA-256("secchat/3 safety code" || T),
 * its first 8 bytes (big-endian) modulo 10^9, as "DDD DDD DDD".
 */
static int
safety_code(const struct session *s, char out[12])
{
	struct iovec v[2] = { { SAS_LABEL, sizeof SAS_LABEL - 1 }, { (void *)s->t, HASH_LEN } };
	unsigned char h[HASH_LEN];
	uint64_t c;
	int ret;

	if ((ret = sha256(h, v, 2)) != 0)
		return ret;
	c = get64(h) % 1000000000;
	snprintf(out, 12, "%03u %03u %03u", (unsigned)(c / 1000000),
	    (unsigned)(c / 1000 % 1000), (unsigned)(c % 1000));
	return 0;
}

/* Stop with 128 + the signal; a -k server stopped between sessions exits 0. */
static int
interrupted(struct session *s)
{
	s->status = s->keep ? 0 : 128 + got_sig;
	return -1;
}

/*
 * The RNG for key generation, on the DRBG ctx: it fails when a signal arrives
 * (or the key thread must stop), so that a slow key generation ends promptly.
 */
static int
stoppable_rng(void *ctx, unsigned char *out, size_t len)
{
	if (got_sig || keystop)
		return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
	return mbedtls_ctr_drbg_random(ctx, out, len);
}

/* The same for the key we wait for, with a dot a second on a terminal. */
static int
keygen_rng(void *ctx, unsigned char *out, size_t len)
{
	struct session *s = ctx;
	int64_t now;

	if (s->tick && (now = now_ms()) >= s->tick) {
		fputc('.', stderr);
		s->tick = now + 1000;
	}
	return stoppable_rng(&s->drbg, out, len);
}

/* A parse error for a key type or curve this build of Mbed TLS lacks. */
static int
not_rsa(int ret)
{
	return ret == MBEDTLS_ERR_PK_UNKNOWN_PK_ALG || ret == MBEDTLS_ERR_PK_UNKNOWN_NAMED_CURVE;
}

/* RSA, 2048 to 4096 bits, e = 65537: for the peer's key and for ours. */
static int
check_key(struct session *s, mbedtls_pk_context *pk, const char *whose)
{
	mbedtls_mpi n, e;
	size_t bits = 0;
	int ret, e_ok = 0;

	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_RSA)
		return fail(s, "%s is not an RSA key", whose);
	/* The modulus's own bit length: mbedtls_pk_get_bitlen counts whole bytes. */
	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&e);
	if (mbedtls_rsa_export(mbedtls_pk_rsa(*pk), &n, NULL, NULL, NULL, &e) == 0) {
		bits = mbedtls_mpi_bitlen(&n);
		e_ok = mbedtls_mpi_cmp_int(&e, 65537) == 0;
	}
	mbedtls_mpi_free(&n);
	mbedtls_mpi_free(&e);
	if (bits < MINBITS || bits > MAXBITS)
		return fail(s, "%s has %zu bits (accepted: %d to %d)", whose, bits, MINBITS, MAXBITS);
	if (!e_ok)
		return fail(s, "%s has a public exponent other than 65537", whose);
	if ((ret = set_v21(mbedtls_pk_rsa(*pk))) != 0)
		return tlsfail(s, "setting up the RSA key", ret);
	return 0;
}

/* Our fingerprint, from the public half of our key. */
static int
our_fingerprint(struct session *s, char fp[FP_LEN])
{
	unsigned char der[MAXHS];
	int n;

	if ((n = mbedtls_pk_write_pubkey_der(&s->key, der, sizeof der)) < 0)
		return tlsfail(s, "writing our public key", n);
	fingerprint(der + sizeof der - n, n, fp);
	return 0;
}

/* A fresh key, replacing the one we had. */
static int
make_key(struct session *s)
{
	int64_t t0 = now_ms();
	char fp[FP_LEN];
	int ret;

	mbedtls_pk_free(&s->key);
	mbedtls_pk_init(&s->key);
	s->used = 0;
	if (isatty(2)) {	/* on a router this can take a minute: show it works */
		fprintf(stderr, "secchat: generating RSA-%d key...", s->bits);
		s->tick = t0 + 1000;
	} else
		msg("generating RSA-%d key...", s->bits);
	ret = mbedtls_pk_setup(&s->key, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
	if (ret == 0)
		ret = mbedtls_rsa_gen_key(mbedtls_pk_rsa(s->key), keygen_rng, s, s->bits, 65537);
	if (s->tick)
		fprintf(stderr, ret == 0 ? " %.1f s\n" : "\n", (now_ms() - t0) / 1000.0);
	else if (ret == 0)
		msg("key generated in %.1f s", (now_ms() - t0) / 1000.0);
	s->tick = 0;
	if (ret != 0)
		return got_sig ? interrupted(s) : tlsfail(s, "key generation", ret);
	if ((ret = set_v21(mbedtls_pk_rsa(s->key))) != 0)
		return tlsfail(s, "setting up the RSA key", ret);
	s->ourlen = mbedtls_pk_get_len(&s->key);
	if (our_fingerprint(s, fp) < 0)
		return -1;
	msg("your key: %s", fp);
	return 0;
}

/* The key thread: all signals blocked, only its own contexts touched. */
static void *
next_key_thread(void *arg)
{
	struct session *s = arg;
	int64_t t0 = now_ms();

	s->keyret = mbedtls_pk_setup(&s->next, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
	if (s->keyret == 0)
		s->keyret = mbedtls_rsa_gen_key(mbedtls_pk_rsa(s->next), stoppable_rng,
		    &s->kdrbg, s->bits, 65537);
	s->keyms = now_ms() - t0;
	while (write(s->keypipe[1], "", 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/*
 * -k with fresh keys, once a session is established: make the next key on a
 * second thread, so that it is ready when the session ends.  Its DRBG is
 * seeded here, from an entropy context of its own; no Mbed TLS context is
 * shared, so Mbed TLS needs no threading support.
 */
static int
start_next_key(struct session *s)
{
	sigset_t all, old;
	int ret;

	if (!s->keep || !s->fresh || s->keygen != 0)
		return 0;
	if ((ret = mbedtls_ctr_drbg_seed(&s->kdrbg, mbedtls_entropy_func, &s->kentropy,
	    (const unsigned char *)"secchat next key", 16)) != 0)
		return tlsfail(s, "seeding the key thread's generator", ret);
	sigfillset(&all);
	if ((ret = pthread_sigmask(SIG_SETMASK, &all, &old)) == 0) {
		ret = pthread_create(&s->keythread, NULL, next_key_thread, s);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (ret != 0)
		return fail(s, "starting the key thread: %s", strerror(ret));
	s->keygen = 1;
	return 0;
}

/* The key thread has said it is done (or must stop): join it. */
static void
join_next_key(struct session *s)
{
	char b;

	if (s->keygen != 1)
		return;
	pthread_join(s->keythread, NULL);
	while (read(s->keypipe[0], &b, 1) < 0 && errno == EINTR)
		;
	mbedtls_ctr_drbg_free(&s->kdrbg);
	mbedtls_ctr_drbg_init(&s->kdrbg);
	s->keygen = 2;
	if (s->keyret == 0)
		msg("next key ready (%.1f s)", s->keyms / 1000.0);
}

/* -i: our key from a file that only its owner can read, as ssh insists. */
static int
load_key(struct session *s, const char *path)
{
	unsigned char buf[MAXKEYFILE + 1];
	struct stat st;
	char fp[FP_LEN];
	size_t len = 0;
	ssize_t r = 1;
	int fd, ret;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return fail(s, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		r = fail(s, "%s: %s", path, strerror(errno));
	else if ((st.st_mode & 077) != 0)
		r = fail(s, "%s: other users may read this private key: refused (chmod 600 %s)",
		    path, path);
	if (r < 0) {
		close(fd);
		return -1;
	}
	while (len < sizeof buf - 1 && (r = read(fd, buf + len, sizeof buf - 1 - len)) != 0)
		if (r > 0)
			len += r;
		else if (errno != EINTR)
			break;
	close(fd);
	buf[len] = '\0';	/* PEM is parsed as a C string */
	if (r != 0)
		ret = fail(s, "%s: %s", path, r < 0 ? strerror(errno) : "too large for a key");
	else if ((ret = parse_key(&s->key, buf, len + 1, &s->drbg)) != 0)
		ret = fail(s, "%s: %s", path, ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED ?
		    "encrypted keys are not supported" : not_rsa(ret) ? "not an RSA key" :
		    "not a private key in PEM or DER");
	mbedtls_platform_zeroize(buf, sizeof buf);
	if (ret != 0 || check_key(s, &s->key, path) < 0 || our_fingerprint(s, fp) < 0)
		return -1;
	s->ourlen = mbedtls_pk_get_len(&s->key);
	msg("your key: %s (from %s)", fp, path);
	return 0;
}

/*
 * A key in DER (the last n bytes of der, where Mbed TLS writes it) to fd as
 * PEM: the BEGIN line, base64 in lines of 64 characters, the END line; then
 * fsync.  Written here, not by Mbed TLS's PEM writer, which (2.28) frees its
 * buffers unwiped: the private key's text stayed in freed heap memory.
 */
static int
write_pem(struct session *s, int fd, const char *path, const char *label,
    const unsigned char der[MAXKEYFILE], int n)
{
	unsigned char text[MAXKEYFILE];
	size_t at, len, i;
	int ret = 0;

	if (n < 0)
		return tlsfail(s, "writing the key", n);
	der += MAXKEYFILE - n;
	at = (size_t)snprintf((char *)text, sizeof text, "-----BEGIN %s-----\n", label);
	for (i = 0; i < (size_t)n; i += 48) {	/* 48 bytes, 64 characters */
		if ((ret = mbedtls_base64_encode(text + at, sizeof text - at - 1, &len,
		    der + i, n - i < 48 ? n - i : 48)) != 0)
			break;
		at += len;
		text[at++] = '\n';
	}
	if (ret != 0 || (at += (size_t)snprintf((char *)text + at, sizeof text - at,
	    "-----END %s-----\n", label)) >= sizeof text)
		ret = fail(s, "%s: key too large", path);
	else if (write_all(fd, text, at) < 0 || fsync(fd) < 0)
		ret = fail(s, "%s: %s", path, strerror(errno));
	mbedtls_platform_zeroize(text, sizeof text);
	return ret;
}

/*
 * -g: make a key pair for -i.  Both files are created first, never over an
 * existing one, so that a long key generation does not end in "file exists".
 */
static int
write_key(struct session *s, const char *path)
{
	unsigned char der[MAXKEYFILE];
	char pub[4096], fp[FP_LEN];
	int fd, pfd = -1, ret = -1;

	if ((size_t)snprintf(pub, sizeof pub, "%s.pub", path) >= sizeof pub)
		return fail(s, "%s: name too long", path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return fail(s, "%s: %s", path, strerror(errno));
	if ((pfd = open(pub, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		fail(s, "%s: %s", pub, strerror(errno));
	else if (make_key(s) == 0 && our_fingerprint(s, fp) == 0 &&
	    write_pem(s, fd, path, "RSA PRIVATE KEY", der,
	    mbedtls_pk_write_key_der(&s->key, der, sizeof der)) == 0 &&
	    write_pem(s, pfd, pub, "PUBLIC KEY", der,
	    mbedtls_pk_write_pubkey_der(&s->key, der, sizeof der)) == 0) {
		printf("%s\n", fp);
		ret = 0;
	}
	mbedtls_platform_zeroize(der, sizeof der);
	close(fd);
	if (pfd >= 0)
		close(pfd);
	if (ret != 0) {
		unlink(path);
		if (pfd >= 0)
			unlink(pub);
		return -1;
	}
	msg("wrote %s and %s", path, pub);
	return 0;
}

/* -a, -A: one more accepted fingerprint, in the form fingerprint() writes. */
static int
add_pin(struct session *s, const char *fp)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char (*pin)[FP_LEN];

	if (strlen(fp) != 50 || strncmp(fp, "SHA256:", 7) != 0 || strspn(fp + 7, b64) != 43)
		return -1;
	if ((pin = realloc(s->pin, (s->npin + 1) * sizeof *pin)) == NULL)
		return -1;
	s->pin = pin;
	memcpy(s->pin[s->npin++], fp, 51);
	return 0;
}

/* Another user than root and us, or the group, or others may write it. */
static int
others_write(const struct stat *st)
{
	return (st->st_mode & 022) != 0 || (st->st_uid != 0 && st->st_uid != geteuid());
}

/*
 * Whoever can write the -A file, or replace it in its directory, decides who
 * may connect: refused, as ssh refuses such an authorized_keys.  A sticky
 * directory (/tmp) lets nobody else replace our file.
 */
static int
safe_file(struct session *s, int fd, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096] = ".";
	struct stat st;
	size_t n;

	if (slash != NULL) {
		if ((n = slash == path ? 1 : (size_t)(slash - path)) >= sizeof dir)
			return fail(s, "%s: name too long", path);
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (fstat(fd, &st) < 0)
		return fail(s, "%s: %s", path, strerror(errno));
	if (others_write(&st))
		return fail(s, "%s: other users may write this file: refused (chmod go-w %s)", path, path);
	if (stat(dir, &st) < 0)
		return fail(s, "%s: %s", dir, strerror(errno));
	if (others_write(&st) && !(st.st_mode & S_ISVTX))
		return fail(s, "%s: other users may write its directory %s: refused", path, dir);
	return 0;
}

/* -A: one fingerprint per line; '#' starts a comment, as does a second word. */
static int
read_pins(struct session *s, const char *path)
{
	FILE *f;
	char *line = NULL, *fp;
	size_t size = 0, before = s->npin;
	int n = 0, ret = 0;

	if ((f = fopen(path, "re")) == NULL)
		return fail(s, "%s: %s", path, strerror(errno));
	ret = safe_file(s, fileno(f), path);
	while (ret == 0 && getline(&line, &size, f) != -1) {
		n++;
		line[strcspn(line, "#")] = '\0';
		if ((fp = strtok(line, " \t\r\n")) != NULL && add_pin(s, fp) < 0)
			ret = fail(s, "%s, line %d: not a fingerprint (SHA256:...)", path, n);
	}
	if (ret == 0 && ferror(f))
		ret = fail(s, "%s: %s", path, strerror(errno));
	else if (ret == 0 && s->npin == before)
		ret = fail(s, "%s lists no fingerprint: nobody could connect", path);
	free(line);
	fclose(f);
	return ret;
}

/* The peer's key against -a and -A; without either, any key is accepted. */
static int
check_pin(struct session *s, const char *fp)
{
	size_t i;

	for (i = 0; i < s->npin; i++)
		if (strcmp(s->pin[i], fp) == 0)
			return 0;
	if (s->npin == 0)
		return 0;
	s->status = EXIT_PIN;
	msg("the peer's key is not one you accepted: someone may be intercepting");
	msg("peer's key:   %s", fp);
	if (s->npin == 1)
		msg("you accepted: %s", s->pin[0]);
	else
		msg("you accepted %zu other keys", s->npin);
	return -1;
}

/* Build our HELLO: 0x01 || VERSION || NONCE || EPH || SPKI, with a new EPH if we have none. */
static int
make_hello(struct session *s)
{
	unsigned char der[MAXHS];
	mbedtls_ecp_point q;
	size_t olen = 0;
	int n, ret = 0;

	if ((n = mbedtls_pk_write_pubkey_der(&s->key, der, sizeof der)) < 0)
		return tlsfail(s, "writing our public key", n);
	if (HELLO_FIXED + (size_t)n > MAXHS)
		return fail(s, "our public key is too large");
	mbedtls_ecp_point_init(&q);
	if (mbedtls_mpi_bitlen(&s->eph) == 0 &&
	    ((ret = mbedtls_ecp_group_load(&s->grp, MBEDTLS_ECP_DP_CURVE25519)) != 0 ||
	    (ret = mbedtls_ecp_gen_keypair(&s->grp, &s->eph, &q, mbedtls_ctr_drbg_random,
	    &s->drbg)) != 0 ||
	    (ret = mbedtls_ecp_point_write_binary(&s->grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED,
	    &olen, s->ephpub, EPH_LEN)) != 0))
		mbedtls_mpi_free(&s->eph);
	mbedtls_ecp_point_free(&q);
	if (ret != 0)
		return tlsfail(s, "making our ephemeral key", ret);
	put32(s->hello, HELLO_FIXED + n);
	s->hello[4] = T_HELLO;
	s->hello[5] = VERSION;
	if ((ret = mbedtls_ctr_drbg_random(&s->drbg, s->hello + 6, NONCE_LEN)) != 0)
		return tlsfail(s, "random nonce", ret);
	memcpy(s->hello + 6 + NONCE_LEN, s->ephpub, EPH_LEN);
	memcpy(s->hello + 4 + HELLO_FIXED, der + sizeof der - n, n);
	s->hellolen = 4 + HELLO_FIXED + n;
	return 0;
}

/* ---- framing: what we send ---- */

/* Room for one frame with a body of len bytes at the end of the send queue. */
static unsigned char *
frame_start(struct session *s, size_t len)
{
	unsigned char *p;

	if (s->txoff == s->txlen)
		s->txoff = s->txlen = 0;
	if (sizeof s->tx - s->txlen < 4 + len) {
		memmove(s->tx, s->tx + s->txoff, s->txlen - s->txoff);
		s->txlen -= s->txoff;
		s->txoff = 0;
	}
	p = s->tx + s->txlen;
	put32(p, len);
	s->txlen += 4 + len;
	if (s->txmax < s->txlen)
		s->txmax = s->txlen;
	return p + 4;
}

/* Our HELLO, made by make_hello: the server's answers COMMIT, the client's is the one it committed to. */
static void
send_hello(struct session *s)
{
	memcpy(frame_start(s, s->hellolen - 4), s->hello + 4, s->hellolen - 4);
	show_frame(s, "sent", s->hello, s->hellolen);
}

/* Client: COMMIT, 0x06 || VERSION || SHA-256(our HELLO frame), before we see the server's. */
static int
send_commit(struct session *s)
{
	struct iovec v;
	unsigned char *b;
	int ret;

	if (make_hello(s) < 0)
		return -1;
	v = (struct iovec){ s->hello, s->hellolen };
	b = frame_start(s, COMMIT_LEN);
	b[0] = T_COMMIT;
	b[1] = VERSION;
	if ((ret = sha256(b + 2, &v, 1)) != 0)
		return tlsfail(s, "commitment hash", ret);
	show_frame(s, "sent", b - 4, 4 + COMMIT_LEN);
	s->phase = P_HELLO;
	return 0;
}

static int
send_auth(struct session *s)
{
	unsigned char *b = frame_start(s, 1 + s->ourlen);
	int ret;

	b[0] = T_AUTH;
	if ((ret = sign(s, b, 1, b + 1)) != 0)
		return tlsfail(s, "signing AUTH", ret);
	show_frame(s, "sent", b - 4, 5 + s->ourlen);
	return 0;
}

/*
 * END (type 4, last byte 0) or BYE (type 5, then the reason and ACK: how many
 * of the peer's MSGs we delivered).
 */
static int
send_close(struct session *s, int type, int reason)
{
	size_t clen = type == T_BYE ? 18 : 10;
	unsigned char *b = frame_start(s, clen + s->ourlen);
	int ret;

	b[0] = type;
	put64(b + 1, s->txseq);
	b[9] = reason;
	if (type == T_BYE)
		put64(b + 10, s->acked);
	if ((ret = sign(s, b, clen, b + clen)) != 0)
		return tlsfail(s, type == T_END ? "signing END" : "signing BYE", ret);
	show_frame(s, "sent", b - 4, 4 + clen + s->ourlen);
	s->txseq++;
	if (type == T_END) {
		s->sent_end = 1;
	} else {
		s->sent_bye = reason;
		s->t_bye = now_ms();
	}
	return 0;
}

/* MSG: 0x03 || SEQ || WRAP || CT || TAG, then SIG.  m may be where CT goes (see inbuf). */
static int
send_msg(struct session *s, const unsigned char *m, size_t n)
{
	size_t clen = 1 + 8 + s->peerlen + n + TAG_LEN, wlen = 0;
	unsigned char k[KEY_LEN], aad[AAD_LEN], *b, *ct;
	mbedtls_gcm_context gcm;
	int ret;

	b = frame_start(s, clen + s->ourlen);
	b[0] = T_MSG;
	put64(b + 1, s->txseq);
	ct = b + 9 + s->peerlen;
	make_aad(s, s->dir, b, aad);
	mbedtls_gcm_init(&gcm);
	if ((ret = mbedtls_ctr_drbg_random(&s->drbg, k, sizeof k)) == 0 &&
	    (ret = mbedtls_pk_encrypt(&s->peer, k, sizeof k, b + 9, &wlen, s->peerlen,
	    mbedtls_ctr_drbg_random, &s->drbg)) == 0 &&
	    (ret = gcm_key(s, s->dir, k, &gcm)) == 0 &&
	    (ret = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, n, zero_iv,
	    sizeof zero_iv, aad, sizeof aad, m, ct, TAG_LEN, ct + n)) == 0)
		ret = sign(s, b, clen, b + clen);
	mbedtls_gcm_free(&gcm);
	mbedtls_platform_zeroize(k, sizeof k);
	if (ret != 0 || wlen != s->peerlen)
		return tlsfail(s, "encrypting a message", ret);
	show_frame(s, "sent", b - 4, 4 + clen + s->ourlen);
	s->txseq++;
	s->nsent++;
	return 0;
}

/* ---- the terminal ---- */

/*
 * Length of the printable UTF-8 character at p, or 0 when the byte at p must
 * be escaped: a control character (C0, DEL, C1) or not valid UTF-8.
 */
static size_t
utf8_ok(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] >= 0x20 && p[0] < 0x7f)
		return 1;
	if (p[0] == 0xc2 && n > 1 && p[1] < 0xa0)
		return 0;			/* C1 controls */
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;			/* overlong */
	else if (p[0] == 0xed)
		hi = 0x9f;			/* surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90;			/* overlong */
	else if (p[0] == 0xf4)
		hi = 0x8f;			/* above U+10FFFF */
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/*
 * The character at p as shown, into out (16 bytes), and its width: itself;
 * ^X for C0 and DEL; \xNN for a byte not UTF-8 or of a C1 control; <U+XXXX>
 * for a format or separator character (bidirectional controls, zero-width
 * ones, U+2028/9, U+FEFF) or one the locale cannot measure.  Returns the
 * bytes of p used.
 */
static size_t
shown_as(const unsigned char *p, size_t n, unsigned char *out, size_t *olen, int *w)
{
	size_t len = utf8_ok(p, n), i;
	uint32_t c = len == 1 ? p[0] : p[0] & (0xffu >> (len + 1));	/* the code point */
	int r;

	for (i = 1; i < len; i++)
		c = c << 6 | (p[i] & 0x3f);
	if (len > 0 && !(c == 0x061c || c == 0x180e || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c == 0xfeff ||
	    (c >= 0xfff9 && c <= 0xfffb)) && (*w = c < 0x80 ? 1 : wcwidth((wchar_t)c)) >= 0) {
		memcpy(out, p, len);
		*olen = len;
		return len;
	}
	if (len > 0)
		r = snprintf((char *)out, 16, "<U+%04X>", (unsigned)c);
	else if (p[0] < 0x20 || p[0] == 0x7f)
		r = snprintf((char *)out, 16, "^%c", p[0] ^ 0x40);
	else
		r = snprintf((char *)out, 16, "\\x%02x", p[0]);
	*olen = (size_t)(*w = r);
	return len > 0 ? len : 1;
}

/* The terminal's width, asked each time: it changes (SIGWINCH). */
static int
term_cols(void)
{
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 80;		/* a serial console often does not know */
	return ws.ws_col < 8 ? 8 : ws.ws_col > MAXCOLS ? MAXCOLS : ws.ws_col;
}

/* End an open peer row before other text: a status line, our own line. */
static void
row_end(void)
{
	if (rowcol > 0)
		write_all(1, (const unsigned char *)"\n", 1);
	rowcol = 0;
}

/*
 * Text for a person, the peer's (peer) or a line of ours, wrapped here at the
 * terminal's width with every row behind the label or a mark as wide: no
 * text of the peer's can start a row (and pass for a status line) or drive
 * the terminal.  Autowrap is off while a row is written, and on again in the
 * same write: a character that the terminal draws wider than wcwidth() says
 * is cut at the row's end, never carried to the start of the next row.  A
 * row ends at a newline; the peer's text that does not end with one leaves
 * its row open (rowcol).
 */
static int
show_text(int peer, const unsigned char *m, size_t n)
{
	static const char wrap_off[] = "\033[?7l", wrap_on[] = "\033[?7h";
	const char *label = peer ? "peer> " : "you> ", *mark = peer ? "  ... " : " ... ";
	unsigned char out[1024], u[16];
	size_t o = sizeof wrap_off - 1, i, k, ulen = 0, lw = strlen(label);
	int cols = term_cols(), col = (int)lw, w = 0, ret = 0;

	if (n == 0)
		return 0;
	term_line(0);
	if (!peer)
		row_end();
	memcpy(out, wrap_off, o);
	if (rowcol > 0)
		col = rowcol;
	else {
		memcpy(out + o, label, lw);	/* NOLINT(bugprone-not-null-terminated-result): bytes */
		o += lw;
	}
	for (i = 0; i < n && ret == 0; i += k) {
		k = 1;
		if (m[i] == '\t') {	/* spaces to the next tab stop */
			ulen = (size_t)(w = 8 - (col - (int)lw) % 8);
			memset(u, ' ', 8);
		} else if (m[i] != '\n')
			k = shown_as(m + i, n - i, u, &ulen, &w);
		if (m[i] == '\n' || (col + w > cols && col > (int)lw)) {
			out[o++] = '\n';
			if (m[i] != '\n' || i + 1 < n) {
				memcpy(out + o, m[i] == '\n' ? label : mark, lw);
				o += lw;
			}
			col = (int)lw;
		}
		if (m[i] != '\n') {
			memcpy(out + o, u, ulen);
			o += ulen;
			col += w;
		}
		if (o > sizeof out - 64) {
			memcpy(out + o, wrap_on, sizeof wrap_on - 1);
			ret = write_all(1, out, o + sizeof wrap_on - 1);
			o = sizeof wrap_off - 1;
		}
	}
	rowcol = m[n - 1] == '\n' ? 0 : col;
	memcpy(out + o, wrap_on, sizeof wrap_on - 1);
	if (ret == 0)
		ret = write_all(1, out, o + sizeof wrap_on - 1);
	mbedtls_platform_zeroize(out, sizeof out);
	mbedtls_platform_zeroize(u, sizeof u);
	term_line(1);
	return ret;
}

/*
 * The line editor, after linenoise: the terminal non-canonical without echo,
 * the line being typed (the last elen bytes of s->in) drawn by us after a
 * prompt, erased before anything else is written and drawn again after it.
 */

/* The start of the character before (back) or after byte i of the line. */
static size_t
ed_step(const struct session *s, size_t i, int back)
{
	const unsigned char *line = s->in + s->inlen - s->elen;

	if (back ? i == 0 : i == s->elen)
		return i;
	do
		i = back ? i - 1 : i + 1;
	while (i > 0 && i < s->elen && (line[i] & 0xc0) == 0x80);
	return i;
}

/*
 * Erase the input line, or draw it: the prompt and the line in one write.
 * The line scrolls sideways within the row, the cursor's part of it shown,
 * so a redraw never has to track rows.  No prompt while no line is taken.
 */
static void
term_line(int show)
{
	struct session *s = editing;
	unsigned char row[4 * MAXCOLS + 64], u[16];
	const unsigned char *line;
	size_t a, b, k, o, ulen;
	int avail = term_cols() - 3, used = 0, w, cur;

	if (s == NULL)
		return;
	if (!show || s->phase != P_OPEN || s->in_eof || s->sent_end || s->sent_bye >= 0 ||
	    s->got_bye >= 0) {
		if (s->shown)	/* and back to the open peer row's end */
			write_all(1, (const unsigned char *)"\r\033[K\0338", rowcol > 0 ? 6 : 4);
		s->shown = 0;
		return;
	}
	line = s->in + s->inlen - s->elen;
	for (a = b = s->epos; a > 0; a = k, used += w) {	/* back from the cursor */
		k = ed_step(s, a, 1);
		shown_as(line + k, a - k, u, &ulen, &w);
		if (used + w > avail || b - k > sizeof row - 64)
			break;
	}
	cur = 2 + used;
	for (; b < s->elen; b = k, used += w) {		/* and on after it */
		k = b + shown_as(line + b, s->elen - b, u, &ulen, &w);
		if (used + w > avail || k - a > sizeof row - 64)
			break;
	}
	/*
	 * The line holds printable characters only: no NUL.  Below an open peer
	 * row: a row made below it (ESC D, scrolling if need be), back up (ESC
	 * M) to save the place (ESC 7), down again.  Autowrap off, as there.
	 */
	o = (size_t)snprintf((char *)row, sizeof row, "%s\033[?7l\r> %.*s\033[K\r\033[%dC\033[?7h",
	    rowcol > 0 && !s->shown ? "\033D\033M\0337\033D" : "", (int)(b - a), (const char *)line + a, cur);
	write_all(1, row, o < sizeof row ? o : sizeof row - 1);
	mbedtls_platform_zeroize(row, sizeof row);
	mbedtls_platform_zeroize(u, sizeof u);
	s->shown = 1;
}

/* Replace bytes a to b of the line with p, leaving no copy behind. */
static void
ed_replace(struct session *s, size_t a, size_t b, const unsigned char *p, size_t k)
{
	unsigned char *line = s->in + s->inlen - s->elen;

	if (s->inlen - (b - a) + k >= sizeof s->in)
		return;			/* no room left for the line's '\n' */
	memmove(line + a + k, line + b, s->elen - b);
	if (b - a > k)
		mbedtls_platform_zeroize(line + s->elen - (b - a - k), b - a - k);
	if (k > 0)
		memcpy(line + a, p, k);
	s->elen = s->elen - (b - a) + k;
	s->inlen = s->inlen - (b - a) + k;
	s->epos = s->epos >= b ? s->epos - (b - a) + k : s->epos > a ? a + k : s->epos;
	s->inmax = s->inmax < s->inlen ? s->inlen : s->inmax;
}

/* The k-th line sent, counting back from the last (1), or NULL. */
static const unsigned char *
hist_get(const struct session *s, size_t k, size_t *len)
{
	const unsigned char *p = s->hist, *nl;

	for (; (nl = memchr(p, '\n', s->hist + s->hlen - p)) != NULL; p = nl + 1) {
		*len = nl - p;
		if (--k == 0)
			return p;
	}
	return NULL;
}

/* Up (older) and Down through the lines sent; 0 is the line typed before Up. */
static void
ed_history(struct session *s, int older)
{
	size_t k = s->dlen, to = older ? s->hidx + 1 : s->hidx - 1;
	const unsigned char *p = to > 0 ? hist_get(s, to, &k) : s->draft;

	if ((!older && s->hidx == 0) || p == NULL ||
	    (s->hidx == 0 && s->elen > sizeof s->draft) || s->inlen - s->elen + k >= sizeof s->in)
		return;
	if (s->hidx == 0)
		memcpy(s->draft, s->in + s->inlen - s->elen, s->dlen = s->elen);
	s->hidx = to;
	s->epos = s->elen;
	ed_replace(s, 0, s->elen, p, k);
}

/* Enter: the line joins those waiting to be sent, shown as ours, kept for Up. */
static void
ed_enter(struct session *s)
{
	unsigned char *line = s->in + s->inlen - s->elen;
	size_t n = s->elen;

	if (s->inlen >= sizeof s->in)
		return;
	s->in[s->inlen++] = '\n';
	s->inmax = s->inmax < s->inlen ? s->inlen : s->inmax;
	s->elen = s->epos = s->hidx = 0;
	show_text(0, line, n + 1);	/* with its newline */
	if (n > 0 && n < sizeof s->hist) {	/* newest first; the oldest fall off */
		memmove(s->hist + n + 1, s->hist, sizeof s->hist - n - 1);
		memcpy(s->hist, line, n);
		s->hist[n] = '\n';
		s->hlen = s->hlen + n + 1 < sizeof s->hist ? s->hlen + n + 1 : sizeof s->hist;
	}
}

#define KEY_DELETE	0x100

/* After ESC: ESC [ or ESC O, parameters, a final byte.  The key, or -1. */
static int
ed_escape(struct session *s, unsigned char c)
{
	static const char finals[] = "ABCDHF";
	static const int keys[] = { 16, 14, 6, 2, 1, 5 };	/* as Ctrl-P, N, F, B, A, E */
	const char *f;

	if (s->esc == 1) {
		s->esc = c == '[' || c == 'O' ? 2 : 0;
		s->escn = 0;
	} else if (c >= 0x20 && c < 0x40)	/* parameters: only a short first one kept */
		s->escn = c >= '0' && c <= '9' && s->escn < 100 ? s->escn * 10 + c - '0' : 1000;
	else {
		s->esc = 0;
		if (c < 0x20)
			return c;	/* a control key cuts the sequence short */
		if (c == '~')
			return s->escn == 3 ? KEY_DELETE : s->escn == 1 || s->escn == 7 ? 1 :
			    s->escn == 4 || s->escn == 8 ? 5 : -1;
		if ((f = strchr(finals, c)) != NULL)
			return keys[f - finals];
	}
	return -1;
}

/* One byte typed: the keys of linenoise and readline; others are ignored. */
static void
ed_key(struct session *s, unsigned char c)
{
	const unsigned char *line = s->in + s->inlen - s->elen;
	unsigned char u[16];
	size_t i = s->epos, want, ulen;
	int k = s->esc ? ed_escape(s, c) : c, w;

	if ((c & 0xc0) != 0x80)
		s->keylen = 0;		/* a UTF-8 character cut short */
	switch (k) {
	case 1: s->epos = 0; break;				/* Ctrl-A, Home */
	case 2: s->epos = ed_step(s, i, 1); break;		/* Ctrl-B, Left */
	case 4:							/* Ctrl-D */
		if (s->elen == 0)
			s->in_eof = 1;	/* on an empty line: the end of input */
		/* FALLTHROUGH */
	case KEY_DELETE: ed_replace(s, i, ed_step(s, i, 0), NULL, 0); break;
	case 5: s->epos = s->elen; break;			/* Ctrl-E, End */
	case 6: s->epos = ed_step(s, i, 0); break;		/* Ctrl-F, Right */
	case 8: case 127: ed_replace(s, ed_step(s, i, 1), i, NULL, 0); break;
	case '\n': case '\r': ed_enter(s); break;
	case 12:						/* Ctrl-L */
		write_all(1, (const unsigned char *)"\033[H\033[2J", 7);
		s->shown = rowcol = 0;	/* no row left to continue */
		break;
	case 14: case 16: ed_history(s, k == 16); break;	/* Ctrl-N, P; Down, Up */
	case 21: ed_replace(s, 0, s->elen, NULL, 0); break;	/* Ctrl-U */
	case 23:						/* Ctrl-W */
		while (i > 0 && line[i - 1] == ' ')
			i--;
		while (i > 0 && line[i - 1] != ' ')
			i--;
		ed_replace(s, i, s->epos, NULL, 0);
		break;
	case 27: s->esc = 1; break;
	default:	/* printable, whole UTF-8 characters; a stray byte is dropped */
		if (k < 0x20 || k == 0x7f || (s->keylen == 0 && (c & 0xc0) == 0x80))
			break;
		s->ukey[s->keylen++] = c;
		want = c < 0x80 ? 1 : s->ukey[0] >= 0xf0 ? 4 : s->ukey[0] >= 0xe0 ? 3 : 2;
		if ((size_t)s->keylen < want)
			break;
		if (shown_as(s->ukey, want, u, &ulen, &w) == want && ulen == want)
			ed_replace(s, i, i, s->ukey, want);
		mbedtls_platform_zeroize(u, sizeof u);
		s->keylen = 0;
	}
}

/* What was typed, through the editor: one read, the row drawn once after it. */
static ssize_t
edit_read(struct session *s)
{
	unsigned char keys[256];
	ssize_t r = read(0, keys, sizeof keys), i;

	for (i = 0; i < r && !s->in_eof; i++)
		ed_key(s, keys[i]);
	mbedtls_platform_zeroize(keys, sizeof keys);
	term_line(1);
	return r;
}

static void
on_tty_sig(int sig)
{
	got_tstp |= sig == SIGTSTP;
	got_cont |= sig == SIGCONT;
	got_winch |= sig == SIGWINCH;
}

/* SIGTSTP, SIGCONT, SIGWINCH: noted, and let in by ppoll only, while we edit. */
static void
tty_signals(int on)
{
	static const int which[] = { SIGTSTP, SIGCONT, SIGWINCH };
	struct sigaction sa;
	sigset_t set;
	int i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on ? on_tty_sig : SIG_DFL;
	sa.sa_mask = sigs;
	sigemptyset(&set);
	for (i = 0; i < 3; i++)
		sigaddset(&set, which[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < 3; i++)
		sigaction(which[i], &sa, NULL);
	got_tstp = got_cont = got_winch = 0;
	if (!on)
		sigprocmask(SIG_UNBLOCK, &set, NULL);	/* a Ctrl-Z pending stops us now */
}

/* Non-canonical, no echo; ISIG stays, so Ctrl-C, Ctrl-\ and Ctrl-Z work. */
static int
term_raw(const struct session *s)
{
	struct termios t = s->saved;

	t.c_lflag &= ~(ICANON | ECHO | IEXTEN);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(0, TCSADRAIN, &t);
}

/* Which side is a terminal decides each direction; the editor needs both. */
static void
term_init(struct session *s)
{
	const char *term = getenv("TERM");

	s->tty_in = isatty(0);
	s->tty_out = isatty(1);
	s->edit = s->tty_in && s->tty_out && (term == NULL || strcmp(term, "dumb") != 0);
	/* wcwidth() needs a UTF-8 locale: C.UTF-8 if the user's is not one. */
	if (s->tty_out && (setlocale(LC_CTYPE, "") == NULL ||
	    strcmp(nl_langinfo(CODESET), "UTF-8") != 0))
		setlocale(LC_CTYPE, "C.UTF-8");
}

/*
 * The editor runs with each session, from run(): the terminal saved and set
 * before, and on every way out the line erased and the terminal as it was.
 */
static void
term_edit(struct session *s, int on)
{
	if (on && s->edit && tcgetattr(0, &s->saved) == 0 && term_raw(s) == 0) {
		tty_signals(1);
		editing = s;
	} else if (!on && editing == s) {
		term_line(0);
		editing = NULL;
		tcsetattr(0, TCSAFLUSH, &s->saved);
		tty_signals(0);
	}
}

/* Ctrl-Z, fg and a resized window, acted upon in the loop. */
static void
term_signals(struct session *s)
{
	if (editing != s)
		return;
	if (got_tstp) {
		term_line(0);
		row_end();
		tcsetattr(0, TCSADRAIN, &s->saved);
		kill(getpid(), SIGSTOP);	/* returns once continued */
		got_cont = 1;
	}
	if (got_cont)
		term_raw(s);
	if (got_winch && s->shown)
		rowcol = 0;	/* the terminal may re-wrap rows: the input row starts the next */
	if (got_tstp || got_cont || got_winch)
		term_line(1);
	got_tstp = got_cont = got_winch = 0;
}

/* ---- receiving ---- */

/* Hand a message to the user; a broken stdout is a local failure (BYE 2). */
static int
deliver(struct session *s, const unsigned char *m, size_t n)
{
	if (s->out_broken)
		return 0;
	if ((s->tty_out ? show_text(1, m, n) : write_all(1, m, n)) == 0) {
		s->written++;
		return 0;
	}
	s->out_broken = 1;
	fail(s, "writing to stdout: %s", strerror(errno));
	if (s->sent_bye < 0)
		return send_close(s, T_BYE, R_LOCAL);
	return 0;
}

/*
 * Has all that we wrote to stdout reached its reader?  1 yes, 0 not yet, -1
 * never: a file or a block device must be fsync'ed, a pipe emptied by its
 * reader (a reader gone first is a failure), a socket's send queue drained
 * with no error pending (a reader that left with bytes unread made the kernel
 * drop them: ECONNRESET); for a terminal or another device the completed
 * write is enough.  Only then may our BYE's ACK count it.
 */
static int
drained(struct session *s)
{
	struct pollfd p = { 1, 0, 0 };
	struct stat st;
	socklen_t len = sizeof(int);
	int n = 0, err = 0;

	if (s->written == s->acked || fstat(1, &st) < 0 || !(S_ISREG(st.st_mode) ||
	    S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return 1;
	if (S_ISSOCK(st.st_mode) && (getsockopt(1, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err))
		return fail(s, "stdout's reader went away leaving bytes unread (%s)",
		    strerror(err ? err : errno));
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) ? fsync(1) < 0 :	/* SIOCOUTQ is TIOCOUTQ */
	    ioctl(1, S_ISFIFO(st.st_mode) ? FIONREAD : TIOCOUTQ, &n) < 0)
		return fail(s, "writing to stdout: %s", strerror(errno));
	if (n == 0)
		return 1;
	if (poll(&p, 1, 0) == 1 && p.revents & (POLLERR | POLLHUP))
		return fail(s, "stdout's reader went away leaving %d bytes unread", n);
	return 0;
}

/* A version other than ours, in a HELLO or a COMMIT. */
static int
bad_version(struct session *s, unsigned v)
{
	if (v == 1 || v == 2)
		return fail(s, "the peer speaks secchat/%u; this is " LABEL
		    ": both sides need the same version", v);
	return fail(s, "the peer speaks another protocol version");
}

/* Server: the client's COMMIT, the hash of the HELLO it will send; answer with ours. */
static int
recv_commit(struct session *s, const unsigned char *b, size_t len)
{
	if (len >= 2 && b[1] != VERSION)
		return bad_version(s, b[1]);
	if (len != COMMIT_LEN)
		return fail(s, "protocol error: COMMIT of wrong length");
	memcpy(s->commit, b + 2, HASH_LEN);
	if (make_hello(s) < 0)
		return -1;
	send_hello(s);
	s->phase = P_HELLO;
	return 0;
}

/*
 * HELLO: the server first checks that it is the one the client committed to;
 * then the peer's key and the pins, and T.  The client then sends its HELLO
 * and AUTH; the server signs nothing until the client's AUTH verifies.
 */
static int
recv_hello(struct session *s, unsigned char *b, size_t len)
{
	unsigned char *p = b + HELLO_FIXED, c[HASH_LEN];
	int ret;
	struct iovec v[3] = { { LABEL, LABEL_LEN }, { b - 4, len + 4 } };

	if (s->dir == 's' && ((ret = sha256(c, v + 1, 1)) != 0 ||
	    memcmp(c, s->commit, HASH_LEN) != 0))
		return ret ? tlsfail(s, "commitment hash", ret) : fail(s,
		    "handshake: the client's HELLO does not match its commitment - closing (possible tampering)");
	if (len >= 2 && b[1] != VERSION)
		return bad_version(s, b[1]);
	if (len < HELLO_FIXED)
		return fail(s, "protocol error: HELLO too short");
	if ((ret = mbedtls_pk_parse_subpubkey(&p, b + len, &s->peer)) != 0 || p != b + len)
		return fail(s, not_rsa(ret) ? "peer's key is not an RSA key" :
		    "peer's public key is malformed or followed by trailing bytes");
	if (check_key(s, &s->peer, "peer's key") < 0)
		return -1;
	s->peerlen = mbedtls_pk_get_len(&s->peer);
	fingerprint(b + HELLO_FIXED, len - HELLO_FIXED, s->peerfp);
	memcpy(s->peph, b + 2 + NONCE_LEN, EPH_LEN);
	if (check_pin(s, s->peerfp) < 0)
		return -1;

	/* T = SHA-256(L || server's HELLO || client's HELLO), as sent. */
	v[s->dir == 's' ? 2 : 1] = v[1];
	v[s->dir == 's' ? 1 : 2] = (struct iovec){ s->hello, s->hellolen };
	if ((ret = sha256(s->t, v, 3)) != 0)
		return tlsfail(s, "transcript hash", ret);
	s->phase = P_AUTH;
	if (s->dir == 's')
		return 0;
	send_hello(s);
	return send_auth(s);
}

/* AUTH: the peer holds its key.  Only now the X25519 work, and the server signs its own. */
static int
recv_auth(struct session *s, const unsigned char *b, size_t len)
{
	char code[12];
	int ret;

	if (len != 1 + s->peerlen)
		return fail(s, "protocol error: AUTH of wrong length");
	if (verify(s, b, 1) != 0)
		return fail(s, "handshake: the peer's signature does not verify - closing (possible tampering)");
	if (session_keys(s) < 0 || (s->dir == 's' && send_auth(s) < 0))
		return -1;
	if ((ret = safety_code(s, code)) != 0)
		return tlsfail(s, "safety code", ret);
	s->phase = P_OPEN;
	s->used = 1;
	if (start_next_key(s) < 0)
		return -1;
	msg("peer key: %s", s->peerfp);
	msg("secure session established");
	if (s->npin > 0)
		msg("safety code: %s (the peer's key is pinned)", code);
	else
		msg("safety code: %s (compare it aloud with your peer's: "
		    "a different code means someone is intercepting)", code);
	return 0;
}

/* MSG: signature, then sequence, and only then the private key. */
static int
recv_msg(struct session *s, unsigned char *b, size_t len)
{
	size_t n = len - (9 + s->ourlen + TAG_LEN + s->peerlen), klen = 0;
	unsigned char k[KEY_LEN], aad[AAD_LEN], *ct = b + 9 + s->ourlen;
	mbedtls_gcm_context gcm;
	int ret;

	if (verify(s, b, len - s->peerlen) != 0)
		return fail(s, "message %llu: signature verification failed - closing (possible tampering)",
		    (unsigned long long)s->rxseq);
	if (get64(b + 1) != s->rxseq)
		return fail(s, "message %llu: wrong sequence number %llu - closing (replayed or dropped message)",
		    (unsigned long long)s->rxseq, (unsigned long long)get64(b + 1));
	make_aad(s, s->dir == 's' ? 'c' : 's', b, aad);
	mbedtls_gcm_init(&gcm);
#if FUZZ_FAKE
	klen = b[9];
	ret = klen <= sizeof k ? (memcpy(k, b + 10, klen), 0) : -1;
#else
	ret = mbedtls_pk_decrypt(&s->key, b + 9, s->ourlen, k, &klen, sizeof k,
	    mbedtls_ctr_drbg_random, &s->drbg);
#endif
	if (ret == 0 && klen != KEY_LEN)
		ret = -1;
	if (ret == 0)
		ret = gcm_key(s, s->dir == 's' ? 'c' : 's', k, &gcm);
	if (ret == 0)
		ret = mbedtls_gcm_auth_decrypt(&gcm, n, zero_iv, sizeof zero_iv, aad,
		    sizeof aad, ct + n, TAG_LEN, ct, ct);
	mbedtls_gcm_free(&gcm);
	mbedtls_platform_zeroize(k, sizeof k);
	if (ret != 0) {
		mbedtls_platform_zeroize(ct, n);
		return fail(s, "message %llu: decryption failed - closing", (unsigned long long)s->rxseq);
	}
	if (s->verbose)
		msg("message %llu: signature verified, %zu bytes decrypted",
		    (unsigned long long)s->rxseq, n);
	s->rxseq++;
	ret = deliver(s, ct, n);
	mbedtls_platform_zeroize(ct, n);
	return ret;
}

/* END and BYE: signature, sequence, the last byte, then BYE's ACK. */
static int
recv_close(struct session *s, unsigned char *b)
{
	static const char *const why[] = { "", "was interrupted", "failed locally" };
	const char *name = frame_name(b[0]);

	if (verify(s, b, b[0] == T_BYE ? 18 : 10) != 0)
		return fail(s, "%s: signature verification failed - closing (possible tampering)", name);
	if (get64(b + 1) != s->rxseq)
		return fail(s, "%s: wrong sequence number %llu, expected %llu - closing", name,
		    (unsigned long long)get64(b + 1), (unsigned long long)s->rxseq);
	if (b[9] > (b[0] == T_END ? 0 : R_LOCAL))
		return fail(s, "%s: invalid last byte %u - closing", name, b[9]);
	s->rxseq++;
	if (b[0] == T_END) {
		s->got_end = 1;
		msg("peer has finished sending");
		return 0;
	}
	s->got_bye = b[9];
	if (b[9] != R_USER)	/* not answered: the session is over */
		return fail(s, "the peer aborted the session: it %s", why[b[9]]);
	/* No MSG of ours can follow this BYE: nsent is final. */
	if ((s->peer_ack = get64(b + 10)) > s->nsent)
		return fail(s, "protocol error: BYE confirms %llu messages, we sent %llu",
		    (unsigned long long)s->peer_ack, (unsigned long long)s->nsent);
	if (s->peer_ack < s->nsent)
		fail(s, "%llu of our %llu messages not confirmed by the peer (sent as it closed)",
		    (unsigned long long)(s->nsent - s->peer_ack), (unsigned long long)s->nsent);
	else if (!s->tty_in && (!s->in_eof || s->inlen > 0) && s->sent_bye < 0)
		fail(s, "the peer closed the conversation before all of our input was sent");
	else
		msg(s->sent_bye < 0 ? "the peer closed the conversation" : "the peer answered BYE");
	return 0;
}

/*
 * One complete frame from the peer, b its body.  Checks come in the order
 * the protocol demands: type and exact length for the phase, then the
 * signature (public key), the sequence number, and only then private-key work.
 */
static int
recv_frame(struct session *s, unsigned char *b, size_t len)
{
	static const int expect[] = { T_COMMIT, T_HELLO, T_AUTH };
	size_t fixed = 9 + s->ourlen + TAG_LEN + s->peerlen;

	show_frame(s, "received", b - 4, len + 4);
	/* A client's first frame a HELLO: an older or newer client, or one that did not commit. */
	if (s->phase == P_COMMIT && b[0] == T_HELLO && len >= 2)
		return b[1] != VERSION ? bad_version(s, b[1]) :
		    fail(s, "protocol error: the client's HELLO came before its COMMIT");
	if (s->phase != P_OPEN ? b[0] != expect[s->phase] : b[0] < T_MSG || b[0] == T_COMMIT ||
	    s->got_bye >= 0)	/* read after BYE only when a reset is reported */
		return fail(s, "protocol error: unexpected %s frame (type %u)", frame_name(b[0]), b[0]);
	switch (b[0]) {
	case T_COMMIT:
		return recv_commit(s, b, len);
	case T_HELLO:
		return recv_hello(s, b, len);
	case T_AUTH:
		return recv_auth(s, b, len);
	case T_MSG:
		if (len < fixed || len - fixed > MAXMSG)
			return fail(s, "protocol error: MSG of wrong length");
		if (s->got_end)
			return fail(s, "protocol error: message after the peer's END");
		return recv_msg(s, b, len);
	case T_END:
	case T_BYE:
		if (len != (b[0] == T_BYE ? 18 : 10) + s->peerlen)
			return fail(s, "protocol error: %s of wrong length", frame_name(b[0]));
		if (s->got_end && b[0] == T_END)
			return fail(s, "protocol error: a second END");
		return recv_close(s, b);
	}
	return fail(s, "protocol error: unknown frame type %u", b[0]);
}

/* ---- the I/O loop ---- */

/*
 * The connection failed or ended before the peer's BYE.  A client's that ends
 * before the server's HELLO: either the server is busy (see turn_away) or it
 * does not know our COMMIT.
 */
static int
lost(struct session *s, const char *why)
{
	if (s->dir == 'c' && s->phase == P_HELLO)
		return fail(s, "connection lost (%s) before the server's HELLO: the server is busy "
		    "with another session, or speaks another secchat version", why);
	return fail(s, "connection lost (%s)%s", why, s->phase == P_OPEN && s->got_bye < 0 ?
	    " before the peer's BYE: delivery not confirmed" : "");
}

/*
 * -k: a client that comes during a session is accepted and reset at once:
 * the listener never stops listening, so the port is never free to take.
 */
static void
turn_away(int lfd)
{
	static const struct linger rst = { 1, 0 };
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		/* Failing that, a FIN: turned away all the same. */
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
		close(fd);
	}
}

static int
readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) == 1;
}

/* Read one frame's worth, never past its end; act on it when complete. */
static int
read_net(struct session *s)
{
	size_t want = s->rxlen < 4 ? 4 : 4 + (size_t)get32(s->rx);
	uint32_t len;
	ssize_t r;

	r = read(s->fd, s->rx + s->rxlen, want - s->rxlen);
	if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (r <= 0)
		return lost(s, r < 0 ? strerror(errno) : s->rxlen ?
		    "end of stream in the middle of a frame" : "end of stream");
	s->rxlen += r;
	if (s->rxmax < s->rxlen)
		s->rxmax = s->rxlen;
	s->t_rx = now_ms();
	if (s->rxlen == 4) {
		len = get32(s->rx);
		if (len == 0 || len > (s->phase == P_OPEN ? MAXBODY : MAXHS))
			return fail(s, "protocol error: frame length %lu out of bounds",
			    (unsigned long)len);
	}
	if (s->rxlen < 4 || s->rxlen < 4 + (size_t)get32(s->rx))
		return 0;
	len = get32(s->rx);
	s->rxlen = 0;
	return recv_frame(s, s->rx + 4, len);
}

static int
flush_tx(struct session *s)
{
	ssize_t r;

	while (s->txoff < s->txlen) {
		r = send(s->fd, s->tx + s->txoff, s->txlen - s->txoff, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return lost(s, strerror(errno));
		}
		s->txoff += r;
	}
	/* Our BYE is out: half-close, then keep reading for the peer's BYE. */
	if (s->sent_bye >= 0 && !s->shut) {
		s->shut = 1;
		if (shutdown(s->fd, SHUT_WR) < 0)
			return lost(s, strerror(errno));
	}
	return 0;
}

/*
 * Where input waits to be sent, and how much fits.  A terminal's lines
 * gather in s->in.  Other input is read straight into the send queue where
 * the next MSG's ciphertext goes, and encrypted in place: read only when
 * the queue is empty (a pipe, enlarged in run(), holds what the producer
 * writes meanwhile), it needs no buffer of its own, and a session moving
 * data both ways stays 256 KiB smaller.
 */
static unsigned char *
inbuf(struct session *s)
{
	return s->tty_in ? s->in : s->tx + 4 + 9 + s->peerlen;
}

static size_t
inroom(const struct session *s)
{
	return s->tty_in ? sizeof s->in : MAXMSG;
}

/* Take what stdin has now, up to one message's worth. */
static int
read_stdin(struct session *s)
{
	ssize_t r;

	if (!s->tty_in) {
		if (s->txoff < s->txlen)
			return 0;	/* a frame was queued since the poll */
		s->txoff = s->txlen = 0;	/* the next frame starts at s->tx */
	}
	do {
		r = s->edit ? edit_read(s) : read(0, inbuf(s) + s->inlen, inroom(s) - s->inlen);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				return 0;
			s->in_eof = 1;
			fail(s, "reading stdin: %s", strerror(errno));
			return send_close(s, T_BYE, R_LOCAL);
		}
		if (r == 0)
			s->in_eof = 1;
		if (s->edit)
			break;		/* the editor has put the keys in place */
		s->inlen += r;
		if (!s->tty_in && s->txmax < (size_t)(inbuf(s) - s->tx) + s->inlen)
			s->txmax = inbuf(s) - s->tx + s->inlen;
		else if (s->tty_in && s->inmax < s->inlen)
			s->inmax = s->inlen;
	} while (r > 0 && s->inlen < inroom(s) && readable(0));
	return 0;
}

/* Drop the first n bytes of input, leaving no copy behind. */
static void
consume(struct session *s, size_t n)
{
	memmove(s->in, s->in + n, s->inlen - n);
	mbedtls_platform_zeroize(s->in + s->inlen - n, n);
	s->inlen -= n;
}

/* With the send queue empty, turn input into the next frame. */
static int
produce(struct session *s)
{
	unsigned char *nl;
	size_t n = s->inlen;
	int ret;

	if (s->txoff < s->txlen || s->phase != P_OPEN || s->sent_end || s->quit ||
	    s->sent_bye >= 0 || s->got_bye >= 0)
		return 0;
	if (s->tty_in && (nl = memchr(s->in, '\n', s->inlen)) != NULL) {
		n = nl - s->in;
		if (n == 4 && memcmp(s->in, "exit", 4) == 0) {
			consume(s, n + 1);
			s->quit = 1;	/* BYE 0 goes out in finish() */
			return 0;
		}
		ret = send_msg(s, s->in, n + 1);	/* with its newline */
		consume(s, n + 1);
		return ret;
	}
	if (n > 0 && !s->tty_in) {
		s->inlen = 0;	/* encrypted in place, plaintext gone */
		return send_msg(s, inbuf(s), n);
	}
	if (n > 0 && (n == sizeof s->in || s->in_eof)) {
		ret = send_msg(s, s->in, n);
		consume(s, n);
		return ret;
	}
	if (s->in_eof && n == 0)
		return send_close(s, T_END, 0);
	return 0;
}

/*
 * BYE 0 goes out once the conversation is over for us (the user typed exit,
 * the peer's BYE 0, or END both ways) and all that the peer sent before it is
 * delivered: its ACK tells the peer that its data arrived.  Until then
 * s->draining asks run() to look again soon.
 */
static int
finish(struct session *s)
{
	size_t i, n;
	int r;

	s->draining = 0;
	if (s->sent_bye >= 0 || s->phase != P_OPEN ||
	    !(s->quit || s->got_bye == R_USER || (s->sent_end && s->got_end)))
		return 0;
	if ((r = drained(s)) == 0) {
		s->draining = 1;
		return 0;
	}
	if (r > 0)
		s->acked = s->written;
	/* Typed lines (the editor showed them as ours) that will not go now. */
	for (i = n = 0; s->tty_in && i < s->inlen - s->elen; i++)
		n += s->in[i] == '\n';
	if (n > 0)
		fail(s, "%zu typed line%s not sent: the conversation ended first", n, n > 1 ? "s" : "");
	return send_close(s, T_BYE, r > 0 ? R_USER : R_LOCAL);
}

/*
 * The nearest time limit: the handshake, sending our BYE 1 or 2 and, when
 * nothing is waiting to be read (idle), a frame that stopped arriving.  After
 * our BYE 0 there is none: a slow reader at the peer's end may take its time,
 * and TCP keepalive notices a peer that vanished.
 */
static int64_t
deadline(const struct session *s, int idle)
{
	int64_t d = INT64_MAX;

	if (s->phase != P_OPEN && s->t_conn + HS_TIMEOUT < d)
		d = s->t_conn + HS_TIMEOUT;
	if (s->sent_bye > 0 && s->t_bye + BYE_WAIT < d)
		d = s->t_bye + BYE_WAIT;
	if (idle && s->rxlen > 0 && s->t_rx + STALL_TIMEOUT < d)
		d = s->t_rx + STALL_TIMEOUT;
	return d;
}

static int
timed_out(struct session *s, int64_t now)
{
	if (s->phase != P_OPEN && now >= s->t_conn + HS_TIMEOUT)
		return fail(s, "handshake did not complete within %d s", HS_TIMEOUT / 1000);
	if (s->sent_bye > 0 && now >= s->t_bye + BYE_WAIT)
		return fail(s, "could not send our BYE within %d s", BYE_WAIT / 1000);
	return fail(s, "the peer stalled in the middle of a frame for %d s", STALL_TIMEOUT / 1000);
}

/*
 * A signal: BYE with reason 1 once the session is up and we have sent no BYE;
 * otherwise (the handshake, waiting for the peer's BYE, a second signal) stop.
 */
static int
on_signal(struct session *s)
{
	if (s->sigseen++ > 0 || s->phase != P_OPEN || s->sent_bye >= 0) {
		s->status = 128 + got_sig;
		return -1;
	}
	if (s->status == 0)
		s->status = 128 + got_sig;
	msg("interrupted: closing");
	return send_close(s, T_BYE, R_SIGNAL);
}

/*
 * Over when our last frame is out and: BYE 0 both ways, or our BYE 1 or 2
 * (the peer does not answer those; its BYE 1 or 2 ended us in recv_close).
 */
static int
over(const struct session *s)
{
	if (s->txoff < s->txlen)
		return 0;
	return s->sent_bye > 0 || (s->sent_bye == 0 && s->got_bye == 0);
}

/*
 * The session is over: half-close and read to the peer's end of stream, so
 * that close() never resets a connection with our last frame still queued.
 * Signals are let in: another one ends the wait at once.
 */
static void
linger(struct session *s)
{
	unsigned char buf[512];
	struct pollfd p = { s->fd, POLLIN, 0 };
	struct timespec ts;
	int64_t end = now_ms() + BYE_WAIT, now;
	int r;

	if (!s->shut && shutdown(s->fd, SHUT_WR) < 0)
		return;
	while (nsig == s->sigseen && (now = now_ms()) < end) {
		ts.tv_sec = (end - now) / 1000;
		ts.tv_nsec = (end - now) % 1000 * 1000000;
		if ((r = ppoll(&p, 1, &ts, &waitmask)) < 0 && errno == EINTR)
			continue;
		if (r <= 0 || read(s->fd, buf, sizeof buf) <= 0)
			break;
	}
}

static int
loop(struct session *s)
{
	struct pollfd pfd[4];
	struct timespec ts, *tp;
	int64_t d, now;
	uint64_t seq;

	/*
	 * A pipe holds 64 KiB: while we sign and encrypt one message the
	 * producer stops there, and the next message goes out a quarter full
	 * at the full RSA cost.  Room for a whole message lets the producer
	 * run ahead (this fails harmlessly when stdin is not a pipe).
	 */
	if (!s->tty_in && fcntl(0, F_GETPIPE_SZ) < MAXMSG)
		fcntl(0, F_SETPIPE_SZ, MAXMSG);
	while (!over(s)) {
		if (nsig > s->sigseen && on_signal(s) < 0)
			return -1;
		term_signals(s);
		now = now_ms();
		tp = NULL;
		d = deadline(s, 1);
		if (s->draining && d > now + DRAIN_POLL)
			d = now + DRAIN_POLL;
		if (d != INT64_MAX) {
			d = d > now ? d - now : 0;
			ts.tv_sec = d / 1000;
			ts.tv_nsec = d % 1000 * 1000000;
			tp = &ts;
		}
		pfd[NET].fd = s->fd;
		/* NOLINTNEXTLINE(bugprone-narrowing-conversions): POLLIN | POLLOUT fits a short */
		pfd[NET].events = (s->got_bye < 0 ? POLLIN : 0) |
		    (s->txoff < s->txlen ? POLLOUT : 0);
		pfd[IN].fd = s->phase == P_OPEN && !s->in_eof && s->inlen < inroom(s) &&
		    (s->tty_in || s->txoff == s->txlen) && !s->quit &&
		    !s->sent_end && s->sent_bye < 0 && s->got_bye < 0 ? 0 : -1;
		pfd[IN].events = POLLIN;
		pfd[KEY].fd = s->keygen == 1 ? s->keypipe[0] : -1;
		pfd[KEY].events = POLLIN;
		pfd[LISTEN].fd = s->lfd;
		pfd[LISTEN].events = POLLIN;
		/* Signals are let in only here, so none is missed between checks. */
		if (ppoll(pfd, 4, tp, &waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return fail(s, "poll: %s", strerror(errno));
		}
		if ((now = now_ms()) >= deadline(s, !(pfd[NET].revents & POLLIN)))
			return timed_out(s, now);
		if (pfd[NET].revents & (POLLOUT | POLLERR | POLLHUP) && flush_tx(s) < 0)
			return -1;
		/* After the peer's BYE nothing more is read, but a reset still ends us. */
		if ((pfd[NET].revents & (POLLERR | POLLHUP) ||
		    (pfd[NET].revents & POLLIN && s->got_bye < 0)) && read_net(s) < 0)
			return -1;
		if (pfd[IN].fd >= 0 && pfd[IN].revents && read_stdin(s) < 0)
			return -1;
		if (pfd[KEY].fd >= 0 && pfd[KEY].revents)
			join_next_key(s);
		if (pfd[LISTEN].fd >= 0 && pfd[LISTEN].revents)
			turn_away(s->lfd);
		/* Keep turning input into frames while the socket takes them whole. */
		do {
			seq = s->txseq;
			if (produce(s) < 0 || flush_tx(s) < 0)
				return -1;
		} while (seq != s->txseq && s->txoff == s->txlen);
		if (finish(s) < 0 || flush_tx(s) < 0)
			return -1;
	}
	linger(s);
	return 0;
}

/*
 * A session, the terminal set for the line editor while it runs.  What was
 * typed before it started was meant for no peer yet (a -k server's next
 * client may be anyone): it is discarded.
 */
static int
run(struct session *s)
{
	int ret, n = 0;

	if (s->tty_in && ioctl(0, FIONREAD, &n) == 0 && tcflush(0, TCIFLUSH) == 0 && n > 0)
		msg("discarded what was typed before the session started (%d bytes)", n);
	term_edit(s, 1);
	ret = loop(s);
	term_edit(s, 0);
	return ret;
}

/* ---- the network ---- */

static void
on_sig(int sig)
{
	got_sig = sig;
	nsig++;
}

/* Sleep until fd is ready, or a signal arrives (-1). */
static int
wait_fd(struct session *s, int fd, short events)
{
	struct pollfd p = { fd, events, 0 };

	while (!got_sig)
		if (ppoll(&p, 1, NULL, &waitmask) >= 0 || errno != EINTR)
			return 0;
	return interrupted(s);
}

/*
 * Listen on every address: IPv6 and IPv4 where there is IPv6, else IPv4.
 * Non-blocking: a client gone between poll and accept must not stop a session.
 */
static int
listen_on(struct session *s, const char *port)
{
	static const int families[] = { AF_INET6, AF_INET };
	struct addrinfo hints = { 0 }, *ai;
	int i, lfd = -1, one = 1, zero = 0, err = 0;

	for (i = 0; i < 2 && lfd < 0; i++) {
		hints.ai_family = families[i];
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
		if (getaddrinfo(NULL, port, &hints, &ai) != 0)
			continue;
		if ((lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) >= 0 &&
		    (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
		    (ai->ai_family == AF_INET6 &&
		    setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0) ||
		    bind(lfd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(lfd, BACKLOG) < 0)) {
			err = errno;
			close(lfd);
			lfd = -1;
		}
		freeaddrinfo(ai);
	}
	if (lfd < 0)
		return fail(s, "cannot listen on port %s: %s", port, strerror(err ? err : errno));
	msg("listening on port %s", port);
	return lfd;
}

/* Wait for a client; a signal ends the wait. */
static int
accept_one(struct session *s, int lfd)
{
	struct sockaddr_storage sa;
	socklen_t salen = sizeof sa;
	char host[NI_MAXHOST];
	int fd = -1;

	while (fd < 0 && wait_fd(s, lfd, POLLIN) == 0) {
		fd = accept4(lfd, (struct sockaddr *)&sa, &salen, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0 && errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
			return fail(s, "accept: %s", strerror(errno));
	}
	if ((s->fd = fd) < 0)
		return -1;
	if (getnameinfo((struct sockaddr *)&sa, salen, host, sizeof host, NULL, 0,
	    NI_NUMERICHOST) == 0)
		msg("client connected from %s", host);
	return 0;
}

/*
 * -c: the name is resolved before our key is made, so that a mistyped host
 * fails at once, not after a minute of key generation on a router.
 */
static int
resolve(struct session *s, const char *host, const char *port, struct addrinfo **res)
{
	struct addrinfo hints = { 0 };
	int ret;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((ret = getaddrinfo(host, port, &hints, res)) != 0)
		return fail(s, "%s: %s", host, gai_strerror(ret));
	return 0;
}

/* Connect only once the key is made: the server's handshake limit runs from here. */
static int
connect_to(struct session *s, const char *host, const char *port, struct addrinfo *res)
{
	struct addrinfo *ai;
	socklen_t len = sizeof(int);
	int fd = -1, err = 0;

	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
			err = errno;
			continue;
		}
		/* Non-blocking, so that a signal can end a slow connect. */
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			err = errno;
			if (err == EINPROGRESS && wait_fd(s, fd, POLLOUT) == 0 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = errno;
			if (err != 0) {
				close(fd);
				fd = -1;
				if (got_sig)
					break;
			}
		}
	}
	if ((s->fd = fd) < 0)
		return got_sig ? -1 : fail(s, "cannot connect to %s port %s: %s%s", host, port, strerror(err),
		    err == ECONNRESET ? ": the server is busy with another session" : "");
	msg("connected to %s port %s", host, port);
	return 0;
}

/* ---- main ---- */

static void
usage(void)
{
	fprintf(stderr,
	    "secchat: " LABEL " on Mbed TLS " MBEDTLS_VERSION_STRING "\n"
	    "usage: secchat -s [-kv] [-p port] [-b bits | -i keyfile] [-a fingerprint]... [-A file]\n"
	    "       secchat -c host [-v] [-p port] [-b bits | -i keyfile] [-a fingerprint]... [-A file]\n"
	    "       secchat -g keyfile [-b bits]\n"
	    "  -s       serve: wait for one client\n"
	    "  -k       with -s: after a session, wait for the next client\n"
	    "  -c host  connect to host (name, IPv4 or IPv6 address)\n"
	    "  -p port  TCP port (default " PORT ")\n"
	    "  -b bits  size of the keys made: 2048 (default), 3072 or 4096\n"
	    "  -i file  use this private key (made by -g) instead of a fresh one\n"
	    "  -a fp    accept only a peer with this key fingerprint (repeatable)\n"
	    "  -A file  accept only peers whose fingerprints this file lists\n"
	    "  -g file  make a key pair: file (private) and file.pub, then exit\n"
	    "  -v       show frames and handshake steps\n"
	    "  -h       this help\n");
}

/*
 * Seed the DRBG only once the kernel's RNG is ready (musl's /dev/urandom does
 * not wait).  Before Linux 3.17 there is no getrandom: /dev/random turns
 * readable then.
 */
static int
seed(struct session *s)
{
	unsigned char b;
	int ret, fd, nosys = 0;

	while (getrandom(&b, 1, 0) < 0 && !(nosys = (errno == ENOSYS))) {
		if (got_sig)
			return interrupted(s);
		if (errno != EINTR)
			return fail(s, "waiting for the kernel's RNG: %s", strerror(errno));
	}
	if (nosys) {
		if ((fd = open("/dev/random", O_RDONLY | O_CLOEXEC)) < 0)
			return fail(s, "/dev/random: %s", strerror(errno));
		ret = wait_fd(s, fd, POLLIN);
		close(fd);
		if (ret < 0)
			return -1;
	}
	if ((ret = mbedtls_ctr_drbg_seed(&s->drbg, mbedtls_entropy_func, &s->entropy,
	    (const unsigned char *)"secchat", 7)) != 0)
		return tlsfail(s, "seeding the random generator", ret);
#if defined(MBEDTLS_PSA_CRYPTO_C)
	if (psa_crypto_init() != PSA_SUCCESS)
		return fail(s, "psa_crypto_init failed");
#endif
	return 0;
}

/*
 * Forget one connection: close it, free the peer's key and wipe every buffer,
 * input not yet sent included (it was meant for this peer).
 */
static void
reset(struct session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	mbedtls_pk_free(&s->peer);
	mbedtls_platform_zeroize(s->rx, s->rxmax);
	mbedtls_platform_zeroize(s->tx, s->txmax);
	mbedtls_platform_zeroize(s->in, s->inmax);
	mbedtls_platform_zeroize(&s->fd, offsetof(struct session, rx) - offsetof(struct session, fd));
	mbedtls_pk_init(&s->peer);
	s->fd = -1;
	s->sent_bye = s->got_bye = -1;
}

/*
 * A connection is up: the client commits to its HELLO, the server waits for
 * that; then the session runs to its end.  Keepalive probes notice a peer
 * whose machine vanished.
 */
static void
converse(struct session *s)
{
	static const int opts[][3] = {
		{ IPPROTO_TCP, TCP_NODELAY, 1 }, { SOL_SOCKET, SO_KEEPALIVE, 1 },
		{ IPPROTO_TCP, TCP_KEEPIDLE, KEEPIDLE }, { IPPROTO_TCP, TCP_KEEPINTVL, KEEPINTVL },
		{ IPPROTO_TCP, TCP_KEEPCNT, KEEPCNT }, { IPPROTO_TCP, TCP_USER_TIMEOUT, USER_TIMEOUT },
	};
	size_t i;

	s->t_conn = now_ms();
	for (i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (setsockopt(s->fd, opts[i][0], opts[i][1], &opts[i][2], sizeof(int)) < 0) {
			fail(s, "socket setup: %s", strerror(errno));
			return;
		}
	msg("exchanging keys (" LABEL ")");
	if (s->dir == 's' || send_commit(s) == 0)
		run(s);
}

/*
 * After an established session: the next key replaces the used one, which is
 * wiped.  Wait for the thread if the session was shorter than a key
 * generation (signals let in: a -k server stopped here exits 0).
 */
static int
use_next_key(struct session *s)
{
	char fp[FP_LEN];

	if (s->keygen == 1) {
		msg("waiting for the next key");
		if (wait_fd(s, s->keypipe[0], POLLIN) < 0)
			return -1;
	}
	join_next_key(s);
	if (s->keygen != 2 || s->keyret != 0) {	/* none made: make it here */
		s->keygen = 0;
		mbedtls_pk_free(&s->next);
		mbedtls_pk_init(&s->next);
		return make_key(s);
	}
	s->keygen = 0;
	mbedtls_pk_free(&s->key);
	s->key = s->next;	/* the context moves: nothing is copied */
	mbedtls_pk_init(&s->next);
	s->used = 0;
	if (set_v21(mbedtls_pk_rsa(s->key)) != 0 || our_fingerprint(s, fp) < 0)
		return fail(s, "setting up the next key");
	s->ourlen = mbedtls_pk_get_len(&s->key);
	msg("your key: %s", fp);
	return 0;
}

/* On the way out: stop the key thread, and wipe what it made. */
static void
stop_next_key(struct session *s)
{
	keystop = 1;
	join_next_key(s);
	mbedtls_pk_free(&s->next);
	mbedtls_ctr_drbg_free(&s->kdrbg);
	mbedtls_entropy_free(&s->kentropy);
}

/*
 * -k: input left in a stdin pipe when a session ends was meant for that
 * peer: it is read and wiped, not given to the next client.
 */
static void
discard_input(struct session *s)
{
	unsigned char buf[4096];
	ssize_t r = 1, left;
	int n = 0;

	if (s->tty_in || s->in_eof || ioctl(0, FIONREAD, &n) < 0)
		return;
	for (left = n; left > 0 && (r = read(0, buf, sizeof buf)) > 0; left -= r)
		;
	if (r == 0)
		s->in_eof = 1;
	mbedtls_platform_zeroize(buf, sizeof buf);
}

/*
 * Serve one client or, with -k, one after another until a signal.  With
 * fresh keys, the next key is made during each established session (see
 * start_next_key) and takes over before the next accept; a key that only saw
 * failed handshakes protected nothing and is kept, so failed handshakes cost
 * no key generation.  The listener listens for the whole run, so that no
 * other process, another user's included, can take the port; a client that
 * comes during a session is turned away (see turn_away).  After a HELLO that
 * led to no session, the next waits a second: a man in the middle who tries
 * HELLO after HELLO for a safety code that matches his gets one try a second.
 * A server that pins its clients needs no pause: he cannot finish a
 * handshake with it.
 */
static void
serve(struct session *s, const char *port)
{
	struct timespec gap = { HELLO_GAP, 0 };
	int lfd, hello;

	if ((lfd = listen_on(s, port)) < 0)
		return;
	while (accept_one(s, lfd) == 0) {
		if (!s->keep) {
			close(lfd);
			converse(s);
			return;
		}
		s->lfd = lfd;
		converse(s);
		s->lfd = -1;
		hello = s->npin == 0 && s->phase != P_COMMIT && s->phase != P_OPEN;
		if (got_sig)
			break;
		reset(s);
		discard_input(s);
		/* A signal during the pause ends the server, as between sessions. */
		if (hello && ppoll(NULL, 0, &gap, &waitmask) < 0 && got_sig)
			break;
		/* Signals come in while we wait for the next key too. */
		if (s->used && s->fresh &&
		    (sigprocmask(SIG_SETMASK, &waitmask, NULL) < 0 || use_next_key(s) < 0 ||
		    sigprocmask(SIG_BLOCK, &sigs, NULL) < 0))
			break;
		msg("listening on port %s", port);
	}
	close(lfd);
}

static void
chat(struct session *s, const char *host, const char *port, struct addrinfo *res)
{
	/* From here on signals come in only where we wait: see wait_fd and run. */
	if (sigprocmask(SIG_BLOCK, &sigs, &waitmask) < 0)
		fail(s, "sigprocmask: %s", strerror(errno));
	else if (host == NULL)
		serve(s, port);
	else if (connect_to(s, host, port, res) == 0)
		converse(s);
}

/* What the command line asks for beyond what the session holds. */
struct opts {
	const char *host, *port, *idfile, *genfile, *pinfile;
	int serve;
};

/* The options, checked: -1 to go on, else the status to exit with. */
static int
parse_args(struct session *s, struct opts *o, int argc, char *argv[])
{
	char *end;
	long v;
	int ch;

	while ((ch = getopt(argc, argv, "A:a:b:c:g:hi:kp:sv")) != -1) {
		switch (ch) {
		case 'A':
			o->pinfile = optarg;
			break;
		case 'a':
			if (add_pin(s, optarg) < 0) {
				msg("not a fingerprint (SHA256:...): %s", optarg);
				usage();
				return EXIT_USAGE;
			}
			break;
		case 'b':
			if (strcmp(optarg, "2048") != 0 && strcmp(optarg, "3072") != 0 &&
			    strcmp(optarg, "4096") != 0) {
				msg("key size must be 2048, 3072 or 4096: %s", optarg);
				usage();
				return EXIT_USAGE;
			}
			s->bits = atoi(optarg);	/* NOLINT(cert-err34-c): one of the three above */
			break;
		case 'c':
			o->host = optarg;
			break;
		case 'g':
			o->genfile = optarg;
			break;
		case 'i':
			o->idfile = optarg;
			break;
		case 'k':
			s->keep = 1;
			break;
		case 's':
			o->serve = 1;
			break;
		case 'p':	/* digits only: strtol would take " 80" and "+80" */
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || *optarg < '0' || *optarg > '9' || v < 1 || v > 65535) {
				msg("invalid port: %s", optarg);
				usage();
				return EXIT_USAGE;
			}
			o->port = optarg;
			break;
		case 'v':
			s->verbose = 1;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return EXIT_USAGE;
		}
	}
	if (optind != argc || o->serve + (o->host != NULL) + (o->genfile != NULL) != 1 ||
	    (s->keep && !o->serve) || (o->idfile && s->bits) ||
	    (o->genfile && (o->idfile || o->pinfile || s->npin || o->port || s->verbose))) {
		usage();
		return EXIT_USAGE;
	}
	if (s->bits == 0)
		s->bits = KEYBITS;
	if (o->port == NULL)
		o->port = PORT;
	return -1;
}

/*
 * Every block Mbed TLS frees wiped (before it allocates any), no core dumps,
 * SIGPIPE an error return, SIGINT/SIGTERM/SIGHUP a flag.
 */
static int
harden(void)
{
	static const int caught[] = { SIGINT, SIGTERM, SIGHUP };
	const struct rlimit nocore = { 0, 0 };
	struct sigaction sa;
	int i;

#ifdef WIPE_FREES
	if (mbedtls_platform_set_calloc_free(wipe_calloc, wipe_free) != 0) {
		msg("cannot give Mbed TLS an allocator that wipes");
		return -1;
	}
#endif
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sigs);
	for (i = 0; i < 3; i++)
		sigaddset(&sigs, caught[i]);
	if (setrlimit(RLIMIT_CORE, &nocore) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0 ||
	    sigaction(SIGPIPE, &sa, NULL) < 0) {
		msg("cannot disable core dumps or SIGPIPE: %s", strerror(errno));
		return -1;
	}
	sa.sa_handler = on_sig;
	sa.sa_mask = sigs;
	for (i = 0; i < 3; i++)
		if (sigaction(caught[i], &sa, NULL) < 0) {
			msg("sigaction: %s", strerror(errno));
			return -1;
		}
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct session s;
	struct opts o = { NULL, NULL, NULL, NULL, NULL, 0 };
	struct addrinfo *res = NULL;
	int ch, i, had_key;

	/* A closed stdin, stdout or stderr must not become the socket. */
	for (ch = 0; ch < 3; ch++)
		if (fcntl(ch, F_GETFD) < 0 && open("/dev/null", O_RDWR) != ch)
			return 1;

	s.fd = s.lfd = -1;
	reset(&s);
	if ((ch = parse_args(&s, &o, argc, argv)) >= 0)
		return ch;
	if (harden() < 0)
		return 1;

	s.dir = o.serve ? 's' : 'c';
	term_init(&s);
	s.fresh = o.idfile == NULL;
	mbedtls_entropy_init(&s.entropy);
	mbedtls_ctr_drbg_init(&s.drbg);
	mbedtls_pk_init(&s.key);
	mbedtls_ecp_group_init(&s.grp);
	mbedtls_mpi_init(&s.eph);
	mbedtls_entropy_init(&s.kentropy);
	mbedtls_ctr_drbg_init(&s.kdrbg);
	mbedtls_pk_init(&s.next);
	s.keypipe[0] = s.keypipe[1] = -1;

	/* The -i key answers anyone who connects: one timing query per connection. */
	if (RSA_TIMING_LEAK && o.idfile && s.npin == 0 && o.pinfile == NULL)
		msg("warning: Mbed TLS " MBEDTLS_VERSION_STRING " may leak the -i key through the "
		    "timing of private-key operations (CVE-2024-23170; a distribution's backported "
		    "fix does not show in the version): pin your peers (-a, -A), or use Mbed TLS "
		    "2.28.7, 3.5.2 or newer");
	if (s.keep && s.fresh && pipe2(s.keypipe, O_CLOEXEC) < 0)
		fail(&s, "pipe: %s", strerror(errno));
	else if (seed(&s) == 0 && (o.pinfile == NULL || read_pins(&s, o.pinfile) == 0) &&
	    (o.host == NULL || resolve(&s, o.host, o.port, &res) == 0)) {
		if (o.genfile)
			write_key(&s, o.genfile);
		else if ((o.idfile ? load_key(&s, o.idfile) : make_key(&s)) == 0)
			chat(&s, o.host, o.port, res);
	}

	ch = s.status;
	had_key = mbedtls_pk_get_type(&s.key) != MBEDTLS_PK_NONE;
	if (res != NULL)
		freeaddrinfo(res);
	reset(&s);
	stop_next_key(&s);
	for (i = 0; i < 2; i++)
		if (s.keypipe[i] >= 0)
			close(s.keypipe[i]);
	mbedtls_pk_free(&s.key);
	mbedtls_mpi_free(&s.eph);
	mbedtls_ecp_group_free(&s.grp);
	mbedtls_ctr_drbg_free(&s.drbg);
	mbedtls_entropy_free(&s.entropy);
#if defined(MBEDTLS_PSA_CRYPTO_C)
	mbedtls_psa_crypto_free();
#endif
	free(s.pin);
	mbedtls_platform_zeroize(&s, offsetof(struct session, rx));	/* reset() wiped the rest */
	if (!o.genfile && had_key)	/* else there was neither chat nor key */
		msg("chat ended, keys erased");
	return ch;
}
