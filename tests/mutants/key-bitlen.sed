# test: bound-peerkey
# check_key takes Mbed TLS's bit length, which counts whole bytes: a 2047-bit
# or a 4097-bit modulus passes for 2048 or 4104.
/^check_key(/,/^}/ s/bits = mbedtls_mpi_bitlen(&n);/bits = mbedtls_pk_get_bitlen(pk);/
