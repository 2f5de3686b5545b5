#ifndef RTCTL_CDATAGRAM_H
#define RTCTL_CDATAGRAM_H

#include <sys/socket.h>

/// The layout of Linux's `struct mmsghdr`, which the C library declares only with _GNU_SOURCE (and so Swift's Glibc
/// module does not show): a message header and the byte count the kernel fills in.
typedef struct {
    struct msghdr msg_hdr;
    unsigned int msg_len;
} rtctl_mmsghdr;

/// sendmmsg(2): sends up to `count` datagrams with one system call. Returns how many were sent, or -1 with errno set
/// when the first could not be. -1 with ENOSYS where the system has no sendmmsg.
int rtctl_sendmmsg(int descriptor, rtctl_mmsghdr *messages, unsigned int count, int flags);

#endif
