/*
 * Reset, faults and the stack: what startup.c gives the rest of the board.
 */
#ifndef MOTE_BOARD_STARTUP_H
#define MOTE_BOARD_STARTUP_H
#include <stdint.h>

/* The deepest the stack has been since reset, in bytes (from the paint the reset handler laid). */
uint32_t stack_used_max_bytes(void);
uint32_t stack_size_bytes(void);
/* Ends the program after a fatal report: halts, or resets with BOARD_TRAP_RESETS. */
__attribute__((noreturn)) void board_stop(void);

#endif
