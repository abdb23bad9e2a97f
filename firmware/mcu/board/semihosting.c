/*
 * ARM semihosting SYS_GET_CMDLINE. Without semihosting the BKPT faults; the hard fault handler
 * (startup.c) then skips it and returns -1 in r0, so the board falls back to its defaults.
 */
#include "semihosting.h"

#define SYS_GET_CMDLINE 0x15u

int32_t semihosting_cmdline(char *buf, uint32_t size) {
  if (size == 0) return -1;
  volatile uint32_t block[2] = {(uint32_t)buf, size - 1};
  register uint32_t op __asm("r0") = SYS_GET_CMDLINE;
  register volatile uint32_t *arg __asm("r1") = block;
  __asm volatile("bkpt 0xab" : "+r"(op) : "r"(arg) : "memory");
  if (op != 0) return -1;
  uint32_t len = block[1] < size - 1 ? block[1] : size - 1;
  buf[len] = 0;
  return (int32_t)len;
}
