/*
 * Tiny formatting for the debug UART: text, decimal and hexadecimal numbers.
 */
#include "debug.h"
#include "uart.h"

void debug_text(const char *text) {
  uint32_t n = 0;
  while (text[n] != 0) n++;
  uart_debug_write(text, n);
}

uint32_t format_u32(char *out, uint32_t value) {
  char digits[10];
  uint32_t n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (uint32_t i = 0; i < n; i++) out[i] = digits[n - 1 - i];
  return n;
}

void debug_u32(uint32_t value) {
  char text[10];
  uart_debug_write(text, format_u32(text, value));
}

void debug_hex(uint32_t value) {
  char text[10] = {'0', 'x'};
  for (int i = 0; i < 8; i++) text[2 + i] = "0123456789abcdef"[(value >> (28 - 4 * i)) & 15];
  uart_debug_write(text, sizeof text);
}
