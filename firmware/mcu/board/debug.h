/*
 * The debug line (UART1): short reports in plain text, with no printf in the image.
 */
#ifndef MOTE_BOARD_DEBUG_H
#define MOTE_BOARD_DEBUG_H
#include <stdint.h>

void debug_text(const char *text);
void debug_u32(uint32_t value);
void debug_hex(uint32_t value);
/* Writes value in decimal into out (at least 10 bytes); returns the digits written. */
uint32_t format_u32(char *out, uint32_t value);

#endif
