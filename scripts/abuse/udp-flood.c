/*
 * udp-flood: sends unauthenticated datagrams at an rtctl server's fast port, as an attacker would, for the
 * "Limits and abuse" measurements in README.md (scripts/abuse/measure-floods).
 *
 *   udp-flood HOST PORT RATE SECONDS MODE [PEERS]
 *
 * MODE:
 *   garbage  random bytes (1-64 of them) from one socket on 127.0.0.2
 *   forged   well-formed data packets claiming peer ids 1..PEERS, from 64 sockets on 127.0.0.1 (the players' own
 *            address, so they get past the address check and into the per-address limit)
 *   connect  -5 (UDP connect) packets claiming peer ids 1..PEERS, from 64 sockets on 127.0.0.2..127.0.0.65
 *   mixed    one third of each
 * RATE is datagrams per second (paced in batches of 64 with sendmmsg); prints what it sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define SOCKETS 64

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static size_t varint(uint8_t *out, uint64_t value) {
    size_t n = 0;
    do {
        uint8_t byte = value & 0x7f;
        value >>= 7;
        out[n++] = byte | (value ? 0x80 : 0);
    } while (value);
    return n;
}

/* One length-delimited Packet {opCode, sequenceNumber, targetPlayer, sender[, payload]} (PROTOCOL.md §2-§3). */
static size_t packet(uint8_t *out, int32_t opCode, int32_t sequence, int32_t target, int32_t sender, int payload) {
    uint8_t body[128];
    size_t n = 0;
    body[n++] = 0x08;
    n += varint(body + n, (uint32_t)((opCode << 1) ^ (opCode >> 31)));
    body[n++] = 0x10;
    n += varint(body + n, (uint64_t)(int64_t)sequence);
    body[n++] = 0x18;
    n += varint(body + n, (uint64_t)(int64_t)target);
    body[n++] = 0x28;
    n += varint(body + n, (uint64_t)(int64_t)sender);
    if (payload) {
        body[n++] = 0x7a;
        body[n++] = 16;
        memset(body + n, 'f', 16);
        n += 16;
    }
    size_t m = varint(out, n);
    memcpy(out + m, body, n);
    return m + n;
}

static int open_socket(const char *address) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in local = {.sin_family = AF_INET};
    inet_pton(AF_INET, address, &local.sin_addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
        perror(address);
        exit(1);
    }
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s HOST PORT RATE SECONDS garbage|forged|connect|mixed [PEERS]\n", argv[0]);
        return 64;
    }
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
    inet_pton(AF_INET, argv[1], &server.sin_addr);
    double rate = atof(argv[3]), seconds = atof(argv[4]);
    const char *mode = argv[5];
    int peers = argc > 6 ? atoi(argv[6]) : 64;

    int garbage = open_socket("127.0.0.2"), forged[SOCKETS], strangers[SOCKETS];
    for (int i = 0; i < SOCKETS; i++) {
        char address[32];
        forged[i] = open_socket("127.0.0.1");
        snprintf(address, sizeof address, "127.0.0.%d", 2 + i);
        strangers[i] = open_socket(address);
    }

    static uint8_t data[BATCH][160];
    struct mmsghdr messages[BATCH];
    struct iovec iov[BATCH];
    unsigned seed = 12345;
    long sent = 0;
    double start = now();
    while (now() - start < seconds) {
        int kind = strcmp(mode, "garbage") == 0   ? 0
                   : strcmp(mode, "forged") == 0  ? 1
                   : strcmp(mode, "connect") == 0 ? 2
                                                  : (int)((sent / BATCH) % 3);
        int fd = kind == 0 ? garbage : kind == 1 ? forged[(sent / BATCH) % SOCKETS] : strangers[(sent / BATCH) % SOCKETS];
        for (int i = 0; i < BATCH; i++) {
            size_t length;
            int32_t peer = 1 + rand_r(&seed) % peers;
            if (kind == 0) {
                length = 1 + rand_r(&seed) % 64;
                for (size_t b = 0; b < length; b++) data[i][b] = (uint8_t)rand_r(&seed);
            } else if (kind == 1) {
                length = packet(data[i], 10, (int32_t)(sent + i) & 0x7fffffff, 1 + peer % peers, peer, 1);
            } else {
                length = packet(data[i], -5, 0x7ffffff0, -1, peer, 0);
            }
            iov[i] = (struct iovec){.iov_base = data[i], .iov_len = length};
            messages[i] = (struct mmsghdr){
                .msg_hdr = {.msg_name = &server, .msg_namelen = sizeof server, .msg_iov = &iov[i], .msg_iovlen = 1}};
        }
        int n = sendmmsg(fd, messages, BATCH, 0);
        if (n > 0) sent += n;
        double due = start + sent / rate;
        double wait = due - now();
        if (wait > 0) {
            struct timespec t = {.tv_sec = (time_t)wait, .tv_nsec = (long)((wait - (time_t)wait) * 1e9)};
            nanosleep(&t, NULL);
        }
    }
    double elapsed = now() - start;
    printf("{\"mode\":\"%s\",\"sent\":%ld,\"seconds\":%.2f,\"rate\":%.0f}\n", mode, sent, elapsed, sent / elapsed);
    return 0;
}
