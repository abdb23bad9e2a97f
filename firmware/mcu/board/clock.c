/*
 * The millisecond clock is read, never counted. It is the FPGA's free-running COUNTER (mps2
 * FPGAIO), prescaled from the 25 MHz clock to 1 kHz: a u32 of milliseconds that wraps as the
 * firmware's time does. A clock that counted SysTick interrupts ran 2 to 4 times slow in QEMU on a
 * busy host: QEMU merges timer expirations while the host starves its CPU thread (1000 ticks took
 * 2.3-3.0 s with 14 busy threads on 2 cores, while this counter kept real time).
 * SysTick is the alarm that ends a WFI at the next deadline, and only that (no periodic tick): a
 * late or merged alarm costs latency, never time.
 */
#include "clock.h"
#include "../budget.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define CSR_ENABLE_TICKINT_CPUCLK 7u
#define SYST_RELOAD_MAX 0xFFFFFFu
/* mps2 FPGA system control: COUNTER counts up once per PRESCALE + 1 cycles of the 25 MHz clock. */
#define FPGAIO_COUNTER (*(volatile uint32_t *)0x40028018u)
#define FPGAIO_PRESCALE (*(volatile uint32_t *)0x4002801Cu)
#define CYCLES_PER_MS (BOARD_CPU_HZ / BOARD_CLOCK_HZ)

#if BOARD_CLOCK_HZ != 1000u
#error "the firmware's time is milliseconds: BOARD_CLOCK_HZ must be 1000"
#endif
#if (BOARD_ALARM_MS_MAX * (BOARD_CPU_HZ / 1000u) - 1u) > SYST_RELOAD_MAX
#error "BOARD_ALARM_MS_MAX does not fit SysTick's 24-bit reload"
#endif

/* The alarm's interrupt has done its work by ending the WFI. */
void systick_isr(void) {}

void clock_init(void) {
  SYST_CSR = 0;
  FPGAIO_PRESCALE = CYCLES_PER_MS - 1;
  FPGAIO_COUNTER = 0;
}

uint32_t clock_now_ms(void) {
  return FPGAIO_COUNTER;
}

/* Arms SysTick to interrupt once ms milliseconds from now (at most BOARD_ALARM_MS_MAX). */
static void alarm_in(uint32_t ms) {
  if (ms > BOARD_ALARM_MS_MAX) ms = BOARD_ALARM_MS_MAX;
  SYST_CSR = 0;
  SYST_RVR = ms * CYCLES_PER_MS - 1;
  SYST_CVR = 0;
  SYST_CSR = CSR_ENABLE_TICKINT_CPUCLK;
}

void clock_sleep_until(uint32_t due, int (*wake)(void)) {
  for (;;) {
    /* Masked from the test to the WFI: an interrupt in between stays pending and ends the WFI at once. */
    __asm volatile("cpsid i" ::: "memory");
    uint32_t now = clock_now_ms();
    if (clock_reached(now, due) || wake()) break;
    alarm_in(due - now);
    __asm volatile("wfi" ::: "memory");
    /* The pending interrupt's handler runs here. */
    __asm volatile("cpsie i" ::: "memory");
  }
  SYST_CSR = 0;
  __asm volatile("cpsie i" ::: "memory");
}
