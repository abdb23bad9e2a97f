/*
 * What whoever starts QEMU may set, read from the semihosting command line at reset:
 * client-id=ID interval=SECONDS keep-alive=SECONDS (words separated by spaces, in any order;
 * other words, such as the ELF's path QEMU puts first without arg=, are ignored).
 */
#ifndef MOTE_BOARD_PARAMS_H
#define MOTE_BOARD_PARAMS_H
#include <stdint.h>
#include "budget.h"

typedef struct {
  char client_id[BOARD_CLIENT_ID_BYTES_MAX + 1];
  uint32_t client_id_len;
  uint32_t interval_s;
  uint32_t keep_alive_s;
  /* 1 when QEMU answered the semihosting call (0: the defaults, semihosting is off). */
  int from_cmdline;
} board_params_t;

void board_params_read(board_params_t *params);

#endif
