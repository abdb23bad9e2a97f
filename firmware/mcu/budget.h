/*
 * The board's own capacities and defaults, in one place (the firmware's are in firmware/profiles/).
 * Units are the last word of each name. The build reads none of these; the C sources include them.
 */
#ifndef MOTE_BOARD_BUDGET_H
#define MOTE_BOARD_BUDGET_H

/* Main stack (a session measured 480 bytes: sizes.json stackMax). It sits at the bottom of RAM, so an overflow faults. */
#define BOARD_STACK_BYTES 1024
/* Bytes the UART0 interrupt buffers before the main loop feeds them to the firmware (a power of two). */
#define BOARD_RX_RING_BYTES 256
/* The semihosting command line the board reads its parameters from. */
#define BOARD_CMDLINE_BYTES 256
/* Longest client id accepted on the command line (longer ones fall back to the default). */
#define BOARD_CLIENT_ID_BYTES_MAX 64

/* The mps2-an386 processor clock (SysTick and the FPGA's prescaled counter count it), and the clock's rate. */
#define BOARD_CPU_HZ 25000000u
#define BOARD_CLOCK_HZ 1000u
/* Longest sleep one SysTick alarm covers (its 24-bit reload holds at most 671 ms at 25 MHz); longer waits take several. */
#define BOARD_ALARM_MS_MAX 500u
/* CMSDK UART baud divider (QEMU ignores the rate but leaves a UART with a divider below 16 disabled). */
#define BOARD_UART_BAUD 115200u

/* Run-time parameter defaults (client-id=, interval=, keep-alive= on the command line). */
#define BOARD_CLIENT_ID_DEFAULT "board-1"
#define BOARD_INTERVAL_S_DEFAULT 5u
#define BOARD_KEEP_ALIVE_S_DEFAULT 60u
/* MQTT 5 Session Expiry Interval: the session (and its unacknowledged QoS 1 readings) outlives a lost line. */
#define BOARD_SESSION_EXPIRY_S 3600u
/* How often the main loop looks for a new stack high-water mark (and reports it on the debug UART). */
#define BOARD_STACK_CHECK_MS 1000u
/* Passes of one service() before it returns to the main loop: a bound, not a budget (one pass = one event or one TX drain). */
#define BOARD_SERVICE_PASSES_MAX 1000u

/* What a trap does after its report: 0 halts (the default, a test can read the report), 1 resets the board. */
#ifndef BOARD_TRAP_RESETS
#define BOARD_TRAP_RESETS 0
#endif

#endif
