// The parts of OpenSSL 3 (Debian's libssl-dev) that the secure mode uses: DTLS 1.2 over memory BIOs and certificate
// issuing. OpenSSL spells many calls as function-like macros, which Swift cannot import; the static inline functions
// below give them names Swift can call.
#ifndef RTCTL_COPENSSL_SHIM_H
#define RTCTL_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/// An empty memory BIO reports "retry" (-1) instead of end of file, as a socket with no datagram waiting would.
static inline BIO *rtctl_BIO_new_datagram_buffer(void) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio != NULL) {
        BIO_set_mem_eof_return(bio, -1);
    }
    return bio;
}

/// Empties a memory BIO.
static inline int rtctl_BIO_reset(BIO *bio) { return BIO_reset(bio); }

static inline long rtctl_DTLS_set_link_mtu(SSL *ssl, long mtu) { return DTLS_set_link_mtu(ssl, mtu); }

/// Milliseconds until the DTLS retransmission timer fires; -1 when no timer runs.
static inline long rtctl_DTLSv1_get_timeout_ms(SSL *ssl) {
    struct timeval tv;
    if (DTLSv1_get_timeout(ssl, &tv) != 1) {
        return -1;
    }
    return (long)tv.tv_sec * 1000 + (long)tv.tv_usec / 1000;
}

static inline long rtctl_DTLSv1_handle_timeout(SSL *ssl) { return DTLSv1_handle_timeout(ssl); }

static inline long rtctl_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

static inline long rtctl_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *cert) { return SSL_CTX_add1_chain_cert(ctx, cert); }

static inline long rtctl_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

static inline long rtctl_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_max_proto_version(ctx, version);
}

static inline long rtctl_SSL_CTX_disable_session_cache(SSL_CTX *ctx) {
    return SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}

static inline EVP_PKEY *rtctl_EVP_EC_gen(const char *curve) { return EVP_EC_gen(curve); }

static inline EVP_PKEY *rtctl_EVP_RSA_gen(unsigned int bits) { return EVP_RSA_gen(bits); }

static inline void rtctl_X509V3_set_ctx_nodb(X509V3_CTX *ctx) { X509V3_set_ctx_nodb(ctx); }

/// The options a DTLS association uses: the MTU is set, not queried from the (memory) BIO; no session tickets (a
/// smaller last flight; associations are not resumed); no renegotiation.
static inline uint64_t rtctl_dtls_options(void) {
    return SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION;
}

#endif
