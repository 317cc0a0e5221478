# test: bound-fields
# Signatures verified with any PSS salt length, not exactly 32.
/^verify(/,/^}/ s/{ MBEDTLS_MD_SHA256, HASH_LEN }/{ MBEDTLS_MD_SHA256, MBEDTLS_RSA_SALT_LEN_ANY }/
