# test: attack-[cs]-eph-low
# The check of the peer's EPH removed (Mbed TLS's refusal of a low-order
# point, or a Z of zeros): a low-order EPH no longer gets its message.
/^session_keys(/,/^}/ s/if (ret == MBEDTLS_ERR_ECP_INVALID_KEY || (ret == 0 \&\& nz == 0))/if (0)/
