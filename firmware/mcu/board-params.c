/*
 * Parses the semihosting command line into board_params_t. A value that does not parse (an
 * empty or too long client id, a number out of range) keeps its default.
 */
#include "board-params.h"
#include "board/semihosting.h"

#define SECONDS_MAX 65535u

static uint32_t word_length(const char *p) {
  uint32_t n = 0;
  while (p[n] != 0 && p[n] != ' ') n++;
  return n;
}

/* Length of key= at p when the word starts with it, else 0. */
static uint32_t key(const char *p, const char *k) {
  uint32_t n = 0;
  for (; k[n] != 0; n++) if (p[n] != k[n]) return 0;
  return n;
}

static void seconds(const char *p, uint32_t len, uint32_t *out) {
  uint32_t v = 0;
  if (len == 0 || len > 5) return;
  for (uint32_t i = 0; i < len; i++) {
    if (p[i] < '0' || p[i] > '9') return;
    v = v * 10 + (uint32_t)(p[i] - '0');
  }
  if (v <= SECONDS_MAX) *out = v;
}

static void set_client_id(board_params_t *params, const char *p, uint32_t len) {
  if (len == 0 || len > BOARD_CLIENT_ID_BYTES_MAX) return;
  for (uint32_t i = 0; i < len; i++) params->client_id[i] = p[i];
  params->client_id[len] = 0;
  params->client_id_len = len;
}

void board_params_read(board_params_t *params) {
  static char cmdline[BOARD_CMDLINE_BYTES];
  set_client_id(params, BOARD_CLIENT_ID_DEFAULT, sizeof BOARD_CLIENT_ID_DEFAULT - 1);
  params->interval_s = BOARD_INTERVAL_S_DEFAULT;
  params->keep_alive_s = BOARD_KEEP_ALIVE_S_DEFAULT;
  params->from_cmdline = semihosting_cmdline(cmdline, sizeof cmdline) >= 0;
  if (!params->from_cmdline) return;
  for (const char *p = cmdline; *p != 0;) {
    uint32_t len = word_length(p), k;
    if ((k = key(p, "client-id=")) != 0) set_client_id(params, p + k, len - k);
    else if ((k = key(p, "interval=")) != 0) seconds(p + k, len - k, &params->interval_s);
    else if ((k = key(p, "keep-alive=")) != 0) seconds(p + k, len - k, &params->keep_alive_s);
    p += len;
    while (*p == ' ') p++;
  }
  if (params->interval_s == 0) params->interval_s = BOARD_INTERVAL_S_DEFAULT;
}
