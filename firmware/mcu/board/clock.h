/*
 * The board's millisecond clock (the FPGA's counter at 1 kHz) and its sleep (WFI, woken by a
 * SysTick alarm): the firmware's time is u32 milliseconds that wrap, so deadlines are compared by
 * difference, never by order.
 */
#ifndef MOTE_BOARD_CLOCK_H
#define MOTE_BOARD_CLOCK_H
#include <stdint.h>

void clock_init(void);
uint32_t clock_now_ms(void);
/* True once now has reached due (wraparound-safe). */
static inline int clock_reached(uint32_t now, uint32_t due) {
  return (int32_t)(now - due) >= 0;
}
/* Sleeps (WFI) until due, or until wake() says there is work; any interrupt ends one WFI and wake() is asked again. */
void clock_sleep_until(uint32_t due, int (*wake)(void));

#endif
