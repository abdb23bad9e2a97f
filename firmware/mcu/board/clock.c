/*
 * SysTick as a 1 kHz millisecond clock. On QEMU's mps2-an386 the processor clock source ticks
 * (CSR = 7: enable, interrupt, processor clock); the reference clock (CSR = 3) never does.
 */
#include "clock.h"
#include "../budget.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define CSR_ENABLE_TICKINT_CPUCLK 7u

static volatile uint32_t now_ms;

void systick_isr(void) {
  now_ms = now_ms + 1;
}

void clock_init(void) {
  SYST_RVR = BOARD_CPU_HZ / BOARD_TICK_HZ - 1;
  SYST_CVR = 0;
  SYST_CSR = CSR_ENABLE_TICKINT_CPUCLK;
}

uint32_t clock_now_ms(void) {
  return now_ms;
}

void clock_sleep_until(uint32_t due, int (*wake)(void)) {
  /* An interrupt between the test and the WFI costs at most one tick: the next tick ends the WFI. */
  while (!clock_reached(now_ms, due) && !wake()) __asm volatile("wfi" ::: "memory");
}
