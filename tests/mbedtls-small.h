/*
 * tests/mbedtls-small.h: an Mbed TLS config with only what secchat uses, for
 * `make static` (tests/mbedtls.sh puts it in place of 2.28's config.h or
 * 3.6's mbedtls_config.h).
 * Everything not listed is left out: no TLS, no X.509, no curve but
 * Curve25519, no other ciphers or hashes, no error strings, no self tests, no files.
 */
#ifndef MBEDTLS_CONFIG_H
#define MBEDTLS_CONFIG_H

/* System support: assembly for bignum multiplication, AES-NI on x86-64. */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_AESNI_C

/* secchat's allocator, which wipes every block the library frees. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY

/* The session key pair: RSA with OAEP and PSS (PKCS#1 v2.1), made here. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_GENPRIME
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V21

/* The ephemeral keys: X25519 (RFC 7748), for Z. */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED

/* Keys in and out: DER SubjectPublicKeyInfo on the wire, PEM in key files. */
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PEM_WRITE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_OID_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C

/* Messages: AES-256-GCM; SHA-256 for the transcript, PSS, OAEP, fingerprints. */
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C

/* Randomness: the kernel's RNG through the entropy pool into CTR-DRBG. */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* 3.x checks the config itself, after its own adjustments (build_info.h). */
#if !defined(MBEDTLS_VERSION_NUMBER)
#include "mbedtls/check_config.h"
#endif

#endif /* MBEDTLS_CONFIG_H */
