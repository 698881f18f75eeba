#ifndef HNTT_SYSTEM_H
#define HNTT_SYSTEM_H
/* Linux system calls that Swift's Glibc module does not expose (epoll, eventfd), and
   non-variadic wrappers for ioctl. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <pty.h>

/* A pipe whose ends close on exec from the start: a program started by another thread at the same
   moment cannot inherit them (and hold a pipe open for ever). */
int hntt_pipe_cloexec(int fds[2]);
static inline int hntt_ioctl_none(int fd, unsigned long request) { return ioctl(fd, request); }
static inline int hntt_set_exclusive(int fd, int on) { return ioctl(fd, on ? TIOCEXCL : TIOCNXCL); }
static inline int hntt_epoll_fd(const struct epoll_event *e) { return e->data.fd; }
static inline void hntt_epoll_set_fd(struct epoll_event *e, int fd) { e->data.fd = fd; }
#endif
