# test: erased-k
# The -k server's kept ephemeral private key is not wiped at exit.
s/^\tmbedtls_mpi_free(&s\.eph);$//
