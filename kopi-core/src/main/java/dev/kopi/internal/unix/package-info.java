/**
 * The few POSIX calls Java 17 cannot make (socketpair, pipe2, sendmsg/recvmsg with SCM_RIGHTS, read/write/close
 * on raw descriptors), through JNA, for {@code experimental-image-proxy}. Linux on 64-bit machines only (the
 * {@code msghdr}/{@code cmsghdr} layouts are those of LP64 Linux).
 */
package dev.kopi.internal.unix;
