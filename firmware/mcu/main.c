/*
 * The board's main: read the parameters, start the firmware, configure the sensor, and run the
 * host loop forever, sleeping (WFI) until the firmware's deadline, the next reading, the next
 * stack check or a received byte, whichever comes first.
 */
#include "budget.h"
#include "board-params.h"
#include "firmware-calls.h"
#include "host-loop.h"
#include "sensor-app.h"
#include "board/clock.h"
#include "board/debug.h"
#include "board/startup.h"
#include "board/uart.h"

static uint32_t stack_reported;

static void banner(const board_params_t *params) {
  debug_text("mote board: mqtt ");
  debug_text(fw_budget(MOTE_BUDGET_MQTT5_ENABLED) ? "5.0" : "3.1.1");
  debug_text(", client-id ");
  debug_text(params->client_id);
  debug_text(", interval ");
  debug_u32(params->interval_s);
  debug_text(" s, keep-alive ");
  debug_u32(params->keep_alive_s);
  debug_text(" s, module memory ");
  debug_u32(fw_memory_bytes());
  debug_text(" bytes, stack ");
  debug_u32(stack_size_bytes());
  debug_text(params->from_cmdline ? " bytes\n" : " bytes (defaults: no semihosting command line)\n");
}

/* Reports a new stack high-water mark on the debug UART (the build reads the last one). */
static void report_stack(void) {
  uint32_t used = stack_used_max_bytes();
  if (used <= stack_reported) return;
  stack_reported = used;
  debug_text("stack-max ");
  debug_u32(used);
  debug_text(" bytes\n");
}

static int has_input(void) {
  return uart_mqtt_pending() > 0;
}

static uint32_t earliest(uint32_t now, uint32_t a, uint32_t b) {
  return (int32_t)(a - now) < (int32_t)(b - now) ? a : b;
}

int main(void) {
  uart_init();
  clock_init();
  board_params_t params;
  board_params_read(&params);
  fw_start();
  banner(&params);
  uint32_t now = clock_now_ms();
  if (app_configure(&params, now) < 0) {
    debug_text("configure refused\n");
    board_stop();
  }
  link_start(now, app_on_event);
  uint32_t next_stack_check = now;
  for (;;) {
    now = clock_now_ms();
    link_feed(now);
    link_tick(now);
    app_tick(now);
    link_service(now);
    if (clock_reached(now, next_stack_check)) {
      report_stack();
      next_stack_check = now + BOARD_STACK_CHECK_MS;
    }
    uint32_t due = earliest(now, app_next_due(), next_stack_check);
    uint32_t link_due;
    if (link_next_due(&link_due)) due = earliest(now, due, link_due);
    clock_sleep_until(due, has_input);
  }
}
