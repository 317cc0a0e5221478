/*
 * limits: what Mbed TLS itself costs on this machine for the operations a
 * secchat message is made of, with the same calls secchat.c makes.  Prints
 * one "name milliseconds" line per operation: the median of several runs, in
 * CPU time, so that other processes on a shared machine inflate it less.
 * "limits idle" does nothing but wait for its stdin to end: its peak RSS is
 * the floor for any program linked to libmbedcrypto.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/version.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/entropy.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

/* The same compat lines as at the top of secchat.c. */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define set_v21(rsa) mbedtls_rsa_set_padding((rsa), MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256)
#else
#define set_v21(rsa) (mbedtls_rsa_set_padding((rsa), MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256), 0)
#endif
#if defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif

#define BULK	262144		/* secchat's largest message */
#define SMALL	64		/* a typed line */
#define RUNS	31		/* per RSA operation */
#define KEYGENS	7

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_pk_context key;
static unsigned char buf[BULK + 16], out[BULK + 16];
static const unsigned char iv[12];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *t, int n)
{
	qsort(t, n, sizeof *t, cmp);
	return t[n / 2];
}

static void
check(int ret, const char *what)
{
	if (ret != 0) {
		fprintf(stderr, "limits: %s failed: -0x%04x\n", what, (unsigned)-ret);
		exit(1);
	}
}

static void
report(const char *name, double *t, int n)
{
	printf("%s %.4f\n", name, median(t, n));
}

static void
keygen(void)
{
	double t[KEYGENS], t0;
	int i;

	for (i = 0; i < KEYGENS; i++) {
		mbedtls_pk_free(&key);
		mbedtls_pk_init(&key);
		t0 = now();
		check(mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)), "pk_setup");
		check(mbedtls_rsa_gen_key(mbedtls_pk_rsa(key), mbedtls_ctr_drbg_random, &drbg,
		    2048, 65537), "rsa_gen_key");
		t[i] = now() - t0;
	}
	check(set_v21(mbedtls_pk_rsa(key)), "set_padding");
	report("keygen", t, KEYGENS);
}

static void
rsa(void)
{
	static const mbedtls_pk_rsassa_pss_options pss = { MBEDTLS_MD_SHA256, 32 };
	double enc[RUNS], dec[RUNS], sig[RUNS], ver[RUNS], t0;
	unsigned char k[32], wrap[512], h[32], s[512], k2[32];
	size_t wlen, klen;
	int i;

	for (i = 0; i < RUNS; i++) {
		check(mbedtls_ctr_drbg_random(&drbg, k, sizeof k), "drbg");
		t0 = now();
		check(mbedtls_pk_encrypt(&key, k, sizeof k, wrap, &wlen, sizeof wrap,
		    mbedtls_ctr_drbg_random, &drbg), "pk_encrypt");
		enc[i] = now() - t0;
		t0 = now();
		check(mbedtls_pk_decrypt(&key, wrap, wlen, k2, &klen, sizeof k2,
		    mbedtls_ctr_drbg_random, &drbg), "pk_decrypt");
		dec[i] = now() - t0;
		if (klen != sizeof k || memcmp(k, k2, klen) != 0)
			check(-1, "OAEP round trip");
		memcpy(h, k, sizeof h);
		t0 = now();
		check(mbedtls_rsa_rsassa_pss_sign_ext(mbedtls_pk_rsa(key), mbedtls_ctr_drbg_random,
		    &drbg, MBEDTLS_MD_SHA256, 32, h, 32, s), "pss_sign");
		sig[i] = now() - t0;
		t0 = now();
		check(mbedtls_pk_verify_ext(MBEDTLS_PK_RSASSA_PSS, &pss, &key, MBEDTLS_MD_SHA256,
		    h, 32, s, mbedtls_pk_get_len(&key)), "pk_verify_ext");
		ver[i] = now() - t0;
	}
	report("oaep_encrypt", enc, RUNS);
	report("oaep_decrypt", dec, RUNS);
	report("pss_sign", sig, RUNS);
	report("pss_verify", ver, RUNS);
}

/* X25519 as secchat/3 does it: a key pair (the group loaded as make_hello does), then Z. */
static void
x25519(void)
{
	double gen[RUNS], shared[RUNS], t0;
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q[2];
	mbedtls_mpi d[2], z;
	int i, j;

	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&z);
	for (j = 0; j < 2; j++) {
		mbedtls_ecp_point_init(&q[j]);
		mbedtls_mpi_init(&d[j]);
	}
	for (i = 0; i < RUNS; i++) {
		t0 = now();
		check(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_CURVE25519), "ecp_group_load");
		check(mbedtls_ecp_gen_keypair(&grp, &d[0], &q[0], mbedtls_ctr_drbg_random, &drbg),
		    "ecp_gen_keypair");
		gen[i] = now() - t0;
		check(mbedtls_ecp_gen_keypair(&grp, &d[1], &q[1], mbedtls_ctr_drbg_random, &drbg),
		    "ecp_gen_keypair");
		t0 = now();
		check(mbedtls_ecdh_compute_shared(&grp, &z, &q[1], &d[0], mbedtls_ctr_drbg_random,
		    &drbg), "ecdh_compute_shared");
		shared[i] = now() - t0;
	}
	for (j = 0; j < 2; j++) {
		mbedtls_ecp_point_free(&q[j]);
		mbedtls_mpi_free(&d[j]);
	}
	mbedtls_mpi_free(&z);
	mbedtls_ecp_group_free(&grp);
	report("x25519_keygen", gen, RUNS);
	report("x25519_shared", shared, RUNS);
}

/* SHA-256 through mbedtls_md, as secchat hashes what it signs. */
static double
sha256(size_t n)
{
	mbedtls_md_context_t md;
	unsigned char h[32];
	double t0;

	mbedtls_md_init(&md);
	t0 = now();
	check(mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 0), "md_setup");
	check(mbedtls_md_starts(&md), "md_starts");
	check(mbedtls_md_update(&md, buf, n), "md_update");
	check(mbedtls_md_finish(&md, h), "md_finish");
	t0 = now() - t0;
	mbedtls_md_free(&md);
	return t0;
}

/* AES-256-GCM with a fresh key, as secchat encrypts (or decrypts) a message. */
static double
gcm(size_t n, int decrypt)
{
	mbedtls_gcm_context g;
	unsigned char k[32] = { 1 }, aad[51] = { 0 };
	double t0;

	mbedtls_gcm_init(&g);
	t0 = now();
	check(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, k, 256), "gcm_setkey");
	if (!decrypt)
		check(mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, n, iv, sizeof iv,
		    aad, sizeof aad, buf, out, 16, out + n), "gcm_crypt_and_tag");
	else
		check(mbedtls_gcm_auth_decrypt(&g, n, iv, sizeof iv, aad, sizeof aad,
		    out + n, 16, out, buf), "gcm_auth_decrypt");
	t0 = now() - t0;
	mbedtls_gcm_free(&g);
	return t0;
}

static void
sym(void)
{
	double t[4][RUNS];
	int i;

	for (i = 0; i < RUNS; i++) {
		t[0][i] = sha256(BULK);
		t[1][i] = gcm(BULK, 0);
		t[2][i] = gcm(BULK, 1);
		t[3][i] = sha256(SMALL) + gcm(SMALL, 0) + sha256(SMALL) + gcm(SMALL, 1);
	}
	report("sha256_256k", t[0], RUNS);
	report("gcm_enc_256k", t[1], RUNS);
	report("gcm_dec_256k", t[2], RUNS);
	report("small_sym", t[3], RUNS);	/* both sides' hashing and GCM of a typed line */
}

int
main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], "idle") == 0)
		return read(0, buf, 1) < 0 || mbedtls_version_get_number() == 0;
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	check(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	    (const unsigned char *)"limits", 6), "drbg_seed");
#if defined(MBEDTLS_PSA_CRYPTO_C)
	if (psa_crypto_init() != PSA_SUCCESS)
		check(-1, "psa_crypto_init");
#endif
	printf("mbedtls %s\n", MBEDTLS_VERSION_STRING);
	keygen();
	rsa();
	x25519();
	sym();
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return 0;
}
