/*
 * Vector table, reset handler and fault handlers for the Cortex-M4 of QEMU's mps2-an386.
 * The reset handler copies .data, clears .bss and paints the stack so that its high-water mark
 * can be measured. The stack sits first in RAM (mps2-an386.ld): an overflow leaves RAM and faults,
 * and the hard fault handler reports it from a fresh stack. It also completes semihosting calls
 * made while QEMU has semihosting off.
 */
#include "startup.h"
#include "debug.h"
#include "../budget.h"

#define STACK_PAINT 0xC5C5C5C5u
/* Bytes below the reset handler's own frame left unpainted. */
#define PAINT_MARGIN_BYTES 64u
/* Thumb encoding of BKPT 0xAB, the semihosting call. */
#define SEMIHOSTING_BKPT 0xBEABu
#define SEMIHOSTING_FAILED 0xFFFFFFFFu
#define AIRCR (*(volatile uint32_t *)0xE000ED0Cu)
#define AIRCR_SYSRESETREQ 0x05FA0004u
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define NVIC_ICER0 (*(volatile uint32_t *)0xE000E180u)
#define HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define CFSR (*(volatile uint32_t *)0xE000ED28u)
/* Stacked exception frame: r0-r3, r12, lr, pc, xpsr. */
#define FRAME_R0 0
#define FRAME_PC 6
#define IRQ_VECTORS 32

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[], __stack_bottom[];
extern int main(void);
void systick_isr(void);
void uart0_rx_isr(void);

__attribute__((section(".bss.board_stack"), aligned(8))) static uint32_t stack[BOARD_STACK_BYTES / 4];

__attribute__((noreturn)) void board_stop(void) {
  if (BOARD_TRAP_RESETS) AIRCR = AIRCR_SYSRESETREQ;
  /* WFI wakes on a pending interrupt even while interrupts are masked: silence the sources first. */
  __asm volatile("cpsid i" ::: "memory");
  SYST_CSR = 0;
  NVIC_ICER0 = 0xFFFFFFFFu;
  for (;;) __asm volatile("wfi");
}

uint32_t stack_size_bytes(void) {
  return sizeof stack;
}

uint32_t stack_used_max_bytes(void) {
  uint32_t untouched = 0;
  while (untouched < BOARD_STACK_BYTES / 4 && stack[untouched] == STACK_PAINT) untouched++;
  return sizeof stack - untouched * 4;
}

__attribute__((noreturn)) void reset_handler(void) {
  for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;) *d++ = *s++;
  for (uint32_t *d = __bss_start; d < __bss_end;) *d++ = 0;
  uint32_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *p = stack; (uint32_t)p < sp - PAINT_MARGIN_BYTES; p++) *p = STACK_PAINT;
  main();
  board_stop();
}

/* Called with the stacked frame; returning resumes the interrupted code. */
void hardfault_report(uint32_t *frame) {
  if (frame < __stack_bottom) {
    debug_text("fault: stack overflow (stack ");
    debug_u32(sizeof stack);
    debug_text(" bytes)\n");
    board_stop();
  }
  const uint16_t *pc = (const uint16_t *)frame[FRAME_PC];
  if (*pc == SEMIHOSTING_BKPT) {
    frame[FRAME_PC] += 2;
    frame[FRAME_R0] = SEMIHOSTING_FAILED;
    return;
  }
  debug_text("fault: hard fault pc=");
  debug_hex(frame[FRAME_PC]);
  debug_text(" cfsr=");
  debug_hex(CFSR);
  debug_text(" hfsr=");
  debug_hex(HFSR);
  debug_text("\n");
  board_stop();
}

/* A stack pointer below the stack means an overflow: the report then runs on a fresh stack. */
__attribute__((naked)) static void hardfault_isr(void) {
  __asm volatile(
    "tst lr, #4\n"
    "ite eq\n"
    "mrseq r0, msp\n"
    "mrsne r0, psp\n"
    "ldr r1, =__stack_bottom\n"
    "cmp r0, r1\n"
    "bhs 1f\n"
    "ldr r1, =__stack_top\n"
    "mov sp, r1\n"
    "1: b hardfault_report\n");
}

static void unexpected_isr(void) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  debug_text("fault: unexpected exception ");
  debug_u32(ipsr);
  debug_text("\n");
  board_stop();
}

#define U unexpected_isr
__attribute__((section(".vectors"), used)) static const void *const vectors[16 + IRQ_VECTORS] = {
  stack + BOARD_STACK_BYTES / 4, reset_handler, U, hardfault_isr, U, U, U, 0, 0, 0, 0, U, U, 0, U, systick_isr,
  /* IRQ 0: UART0 receive (the others are off and never fire) */
  uart0_rx_isr, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
  U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
};
