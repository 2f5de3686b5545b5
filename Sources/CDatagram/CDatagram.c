#define _GNU_SOURCE
#include "CDatagram.h"

#include <errno.h>
#include <stddef.h>

#ifdef __linux__
_Static_assert(sizeof(rtctl_mmsghdr) == sizeof(struct mmsghdr), "rtctl_mmsghdr must match struct mmsghdr");
_Static_assert(offsetof(rtctl_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "msg_len offset");
#endif

int rtctl_sendmmsg(int descriptor, rtctl_mmsghdr *messages, unsigned int count, int flags) {
#ifdef __linux__
    return sendmmsg(descriptor, (struct mmsghdr *)messages, count, flags);
#else
    (void)descriptor;
    (void)messages;
    (void)count;
    (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}
