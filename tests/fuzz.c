/*
 * fuzz.c: a libFuzzer harness for everything in secchat.c that parses the
 * peer's bytes.  It compiles secchat.c itself (built with -Dmain=secchat_main)
 * and drives the real receive path, read_net(), through a pipe that stands in
 * for the socket, written in pieces the fuzzer chooses.
 *
 * Random bytes never get past a signature check, so the harness can also play
 * the peer: it holds an RSA key of its own, sends a real COMMIT and HELLO and
 * signs whatever CONTENT the fuzzer chooses, so that what comes after the
 * signature (SEQ, OAEP unwrap, GCM, delivery, END, BYE and its ACK, the
 * ending's rules) is fuzzed as well.  Its MSGs use the direction keys
 * secchat derived (as it shares secchat's T).  Both keys
 * are made once, at startup, from a fixed seed: the same keys every run, so a
 * crashing input reproduces.  The harness's key has 2048 bits; secchat's has
 * 2048 (cheap) or, when the input asks, 3072, so that a mix-up of the two
 * modulus lengths cannot go unnoticed.
 *
 * Input: one byte of flags, then operations until the input ends.
 *   flags: bit 0 secchat is the client, bit 1 stdin is a terminal (sanitized
 *   output), bit 2 -v, bit 3 the peer closes the connection at the end,
 *   bit 4 secchat's key has 3072 bits, bits 5 and 6 the fingerprints
 *   accepted (-a): 0 any, 1 the harness's, 2 another, 3 both.
 *   Each operation is a byte whose low 3 bits select:
 *   0 RAW    n16 bytes         n bytes on the wire as they are
 *   1 HELLO                    the harness's HELLO; with bit 3 of the
 *                              operation byte set, the COMMIT to it
 *   2 AUTH                     AUTH signed by the harness
 *   3 SIGNED n16 bytes         LEN || CONTENT || SIG, CONTENT the n bytes
 *   4 MSG    seq8 klen8 flip16 n24 bytes
 *                              a well-formed MSG: SEQ the expected one plus
 *                              (int8_t)seq8, a wrapped key of klen8 bytes (0:
 *                              32), CONTENT byte flip16 - 1 flipped before
 *                              signing (0: none), the message n bytes long
 *                              (taken from the input, padded with zeros)
 *   5 CLOSE  type8 seq8 last8 ack8
 *                              END (type8 even) or BYE, signed; BYE's ACK
 *                              the number of MSGs secchat sent plus
 *                              (int8_t)ack8
 *   6 LOCAL  what8             secchat acts: 0 stdin ends (END), 1 `exit`
 *                              (BYE 0), 2 SIGINT, 3 stdout breaks
 *   7 SPLIT  n8 seed8          later bytes written in pieces of 1..n8 bytes,
 *                              lengths drawn from a generator seeded with
 *                              seed8 (n8 0: as large as the pipe takes)
 * Numbers are big-endian; an operation cut short by the end of the input is
 * dropped.  Stdout (delivered messages) goes to /dev/null; run with
 * -close_fd_mask=2 to silence secchat's status lines.
 */
#define SECCHAT_FUZZ_HARNESS 1	/* see secchat.c: the guard after rx, and fast mode */
#include "../secchat.c"

#include <sys/ioctl.h>
#include <sanitizer/asan_interface.h>

#define MAXSIGNED	8	/* signatures the harness makes per input: they cost */

static struct session S;	/* secchat, fuzzed */
static struct session P;	/* the harness as the peer: its key, T and direction */
static mbedtls_pk_context skey[2];	/* secchat's keys, made once: 2048, 3072 bits */
static mbedtls_pk_context spub[2];	/* their public halves, as the peer knows them */
static char pins[2][FP_LEN];	/* -a: the harness's fingerprint, and another */
static int devnull, broken;	/* stdout: /dev/null, or a pipe nobody reads */
static unsigned char wire[4 + MAXBODY];

struct input {
	const uint8_t *p;
	size_t n;
	int ok;			/* nothing was read past the end */
};

static unsigned
take(struct input *in, int bytes)
{
	unsigned v = 0;

	if (in->n < (size_t)bytes) {
		in->ok = 0;
		in->n = 0;
		return 0;
	}
	while (bytes-- > 0) {
		v = v << 8 | *in->p++;
		in->n--;
	}
	return v;
}

/* A fixed seed: the keys, nonces and salts are the same every run. */
static int
fixed_entropy(void *ctx, unsigned char *out, size_t len)
{
	(void)ctx;
	memset(out, 0x5a, len);
	return 0;
}

static void
seed_fixed(mbedtls_ctr_drbg_context *drbg, const char *who)
{
	mbedtls_ctr_drbg_init(drbg);
	if (mbedtls_ctr_drbg_seed(drbg, fixed_entropy, NULL,
	    (const unsigned char *)who, strlen(who)) != 0)
		abort();
}

static void
make_fixed_key(mbedtls_pk_context *pk, int bits, const char *who)
{
	mbedtls_ctr_drbg_context drbg;

	seed_fixed(&drbg, who);
	mbedtls_pk_init(pk);
	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0 ||
	    mbedtls_rsa_gen_key(mbedtls_pk_rsa(*pk), mbedtls_ctr_drbg_random, &drbg,
	    bits, 65537) != 0 || set_v21(mbedtls_pk_rsa(*pk)) != 0)
		abort();
	mbedtls_ctr_drbg_free(&drbg);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fds[2], i;
	unsigned char *p;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);	/* as secchat's main does */
	if ((devnull = open("/dev/null", O_WRONLY)) < 0 || pipe(fds) < 0)
		abort();
	close(fds[0]);
	broken = fds[1];
#if defined(MBEDTLS_PSA_CRYPTO_C)
	if (psa_crypto_init() != PSA_SUCCESS)
		abort();
#endif
	make_fixed_key(&skey[0], 2048, "fuzz: secchat 2048");
	make_fixed_key(&skey[1], 3072, "fuzz: secchat 3072");
	make_fixed_key(&P.key, 2048, "fuzz: peer");
	P.ourlen = mbedtls_pk_get_len(&P.key);
	seed_fixed(&P.drbg, "fuzz: peer nonce");
	if (make_hello(&P) < 0)
		abort();
	fingerprint(P.hello + 4 + HELLO_FIXED, P.hellolen - 4 - HELLO_FIXED, pins[0]);
	memcpy(pins[1], "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 51);
	/* The peer knows secchat's public key, as it would from secchat's HELLO. */
	for (i = 0; i < 2; i++) {
		S.key = skey[i];
		seed_fixed(&S.drbg, "fuzz: secchat nonce");
		if (make_hello(&S) < 0)
			abort();
		mbedtls_ctr_drbg_free(&S.drbg);
		p = S.hello + 4 + HELLO_FIXED;
		mbedtls_pk_init(&spub[i]);
		if (mbedtls_pk_parse_subpubkey(&p, S.hello + S.hellolen, &spub[i]) != 0 ||
		    set_v21(mbedtls_pk_rsa(spub[i])) != 0)
			abort();
	}
	mbedtls_mpi_free(&S.eph);
	mbedtls_ecp_group_free(&S.grp);
	return 0;
}

/* A fresh connection, as converse() leaves it just before run(). */
static void
begin(int client, int tty, int verbose, int big, int pin)
{
	ASAN_UNPOISON_MEMORY_REGION(S.rxguard, sizeof S.rxguard);
	memset(&S, 0, sizeof S);
	ASAN_POISON_MEMORY_REGION(S.rxguard, sizeof S.rxguard);	/* a read past rx is caught */
	S.fd = -1;
	S.sent_bye = S.got_bye = -1;
	S.dir = client ? 'c' : 's';
	S.tty_in = S.tty_out = tty;
	S.verbose = verbose;
	S.pin = pin == 2 ? pins + 1 : pins;
	S.npin = pin == 3 ? 2 : pin != 0;
	S.key = skey[big];
	S.ourlen = mbedtls_pk_get_len(&S.key);
	seed_fixed(&S.drbg, "fuzz: secchat nonce");
	if (client && send_commit(&S) < 0)	/* a server waits for COMMIT */
		abort();
	S.txoff = S.txlen = 0;
	S.t_conn = now_ms();
	P.dir = client ? 's' : 'c';
	P.peer = spub[big];
	P.peerlen = S.ourlen;
	got_sig = nsig = 0;
}

static void
end(void)
{
	mbedtls_mpi_free(&S.eph);
	mbedtls_ecp_group_free(&S.grp);
	mbedtls_pk_free(&S.peer);
	mbedtls_ctr_drbg_free(&S.drbg);
}

/* What run() does with one more piece from the network: read it all, frame by frame. */
static int
pump(int rfd)
{
	int n;

	while (ioctl(rfd, FIONREAD, &n) == 0 && n > 0) {
		if (read_net(&S) < 0 || finish(&S) < 0)
			return -1;
		S.txoff = S.txlen = 0;	/* as if the socket took what we queued */
		if (S.got_bye >= 0 || over(&S))
			return -1;	/* run() reads no further */
	}
	return 0;
}

/* Put len bytes on the wire in pieces of 1..split bytes, lengths from *rnd. */
static int
send_wire(int wfd, int rfd, const unsigned char *b, size_t len, unsigned split,
    uint32_t *rnd)
{
	size_t piece;

	while (len > 0) {
		*rnd = *rnd * 1103515245 + 12345;
		piece = split == 0 ? 65536 : 1 + (*rnd >> 16) % split;
		if (piece > len)
			piece = len;
		if (write(wfd, b, piece) != (ssize_t)piece)
			abort();
		b += piece;
		len -= piece;
		if (pump(rfd) < 0)
			return -1;
	}
	return 0;
}

/* LEN || CONTENT || SIG, CONTENT already at wire + 4; returns the frame's length. */
static size_t
sign_frame(size_t clen)
{
	memcpy(P.t, S.t, HASH_LEN);	/* the peer computes the same T */
	if (sign(&P, wire + 4, clen, wire + 4 + clen) != 0)
		abort();
	put32(wire, clen + P.ourlen);
	return 4 + clen + P.ourlen;
}

/* A MSG as the peer would send it, but with the fuzzer's SEQ, key length and flip. */
static size_t
make_msg(uint64_t seq, size_t klen, size_t flip, struct input *in, size_t n)
{
	unsigned char k[255], aad[AAD_LEN], *b = wire + 4, *ct = b + 9 + S.ourlen;
	size_t clen = 9 + S.ourlen + n + TAG_LEN, wlen = 0, have;
	mbedtls_gcm_context gcm;

	if (klen > S.ourlen - 2 * HASH_LEN - 2)
		klen = S.ourlen - 2 * HASH_LEN - 2;	/* the most OAEP can wrap */
	have = n < in->n ? n : in->n;
	memcpy(ct, in->p, have);
	memset(ct + have, 0, n - have);
	in->p += have;
	in->n -= have;
	b[0] = T_MSG;
	put64(b + 1, seq);
	memcpy(P.t, S.t, HASH_LEN);
	memcpy(P.kdir, S.kdir, sizeof P.kdir);
	make_aad(&P, P.dir, b, aad);
	mbedtls_gcm_init(&gcm);
#if FUZZ_FAKE	/* as secchat.c's fast mode unwraps it: the length, then the key */
	if (mbedtls_ctr_drbg_random(&P.drbg, k, sizeof k) != 0)
		abort();
	memset(b + 9, 0, S.ourlen);
	b[9] = klen;
	memcpy(b + 10, k, klen);
	wlen = S.ourlen;
#endif
	if (
#if !FUZZ_FAKE
	    mbedtls_ctr_drbg_random(&P.drbg, k, sizeof k) != 0 ||
	    mbedtls_pk_encrypt(&P.peer, k, klen, b + 9, &wlen, S.ourlen,
	    mbedtls_ctr_drbg_random, &P.drbg) != 0 ||
#endif
	    wlen != S.ourlen ||
	    gcm_key(&P, P.dir, k, &gcm) != 0 ||
	    mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, n, zero_iv,
	    sizeof zero_iv, aad, sizeof aad, ct, ct, TAG_LEN, ct + n) != 0)
		abort();
	mbedtls_gcm_free(&gcm);
	if (flip > 0)
		b[(flip - 1) % clen] ^= 1;
	return sign_frame(clen);
}

/* The local events run() would act on. */
static int
local(unsigned what)
{
	switch (what % 4) {
	case 0:
		S.in_eof = 1;
		return produce(&S);
	case 1:
		S.quit = 1;
		return finish(&S);
	case 2:
		got_sig = SIGINT;
		nsig++;
		return on_signal(&S);
	default:
		if (dup2(broken, 1) < 0)
			abort();
		return 0;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size, 1 };
	unsigned flags, op, split = 0, nsigned = 0, type, seq, klen, flip, ack;
	struct iovec commit;
	uint32_t rnd = 0;
	int fds[2], alive = 1;
	size_t len = 0, n;

	if (size < 1 || pipe(fds) < 0)
		return 0;
	if (dup2(devnull, 1) < 0)
		abort();
	flags = take(&in, 1);
	begin(flags & 1, flags >> 1 & 1, flags >> 2 & 1, flags >> 4 & 1, flags >> 5 & 3);
	S.fd = fds[0];
	while (alive && in.n > 0) {
		op = take(&in, 1);
		len = 0;
		switch (op & 7) {
		case 0:
			n = take(&in, 2);
			len = n < in.n ? n : in.n;
			memcpy(wire, in.p, len);
			in.p += len;
			in.n -= len;
			break;
		case 1:
			if (op & 8) {
				wire[4] = T_COMMIT;
				wire[5] = VERSION;
				commit.iov_base = P.hello;
				commit.iov_len = P.hellolen;
				if (sha256(wire + 6, &commit, 1) != 0)
					abort();
				put32(wire, len = COMMIT_LEN);
				len += 4;
			} else
				memcpy(wire, P.hello, len = P.hellolen);
			break;
		case 2:
			wire[4] = T_AUTH;
			len = nsigned++ < MAXSIGNED ? sign_frame(1) : 0;
			break;
		case 3:
			n = take(&in, 2);
			n = n < in.n ? n : in.n;
			if (n == 0 || nsigned++ >= MAXSIGNED)
				break;
			memcpy(wire + 4, in.p, n);
			in.p += n;
			in.n -= n;
			len = sign_frame(n);
			break;
		case 4:
			seq = take(&in, 1);
			klen = take(&in, 1);
			flip = take(&in, 2);
			n = take(&in, 3);
			if (!in.ok || nsigned++ >= MAXSIGNED)
				break;
			if (n > MAXMSG + 300)	/* one too large still fits the wire */
				n = MAXMSG + 300;
			len = make_msg(S.rxseq + (int8_t)seq, klen ? klen : KEY_LEN, flip, &in, n);
			break;
		case 5:
			type = take(&in, 1);
			seq = take(&in, 1);
			wire[13] = take(&in, 1);
			ack = take(&in, 1);
			if (!in.ok || nsigned++ >= MAXSIGNED)
				break;
			wire[4] = type & 1 ? T_BYE : T_END;
			put64(wire + 5, S.rxseq + (int8_t)seq);
			put64(wire + 14, S.nsent + (int8_t)ack);
			len = sign_frame(type & 1 ? 18 : 10);
			break;
		case 6:
			if (in.ok && local(take(&in, 1)) < 0)
				alive = 0;
			S.txoff = S.txlen = 0;
			break;
		case 7:
			split = take(&in, 1);
			rnd = take(&in, 1);
			break;
		}
		if (in.ok && len > 0 && send_wire(fds[1], fds[0], wire, len, split, &rnd) < 0)
			alive = 0;
	}
	close(fds[1]);
	if (alive && flags & 8)
		read_net(&S);		/* the peer closed: end of stream */
	close(fds[0]);
	end();
	return 0;
}
