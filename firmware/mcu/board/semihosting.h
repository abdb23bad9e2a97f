/*
 * The one semihosting call the board makes: reading the command line QEMU was given with
 * -semihosting-config enable=on,target=native,arg=...,arg=... (the args joined by spaces).
 */
#ifndef MOTE_BOARD_SEMIHOSTING_H
#define MOTE_BOARD_SEMIHOSTING_H
#include <stdint.h>

/* Copies the command line into buf (NUL-terminated); returns its length, or -1 without semihosting. */
int32_t semihosting_cmdline(char *buf, uint32_t size);

#endif
