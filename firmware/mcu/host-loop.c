/*
 * The loop firmware/index.ts writes down and host/link.ts runs, in the same order: received bytes
 * go to rxReserve / rxWritePtr / receive; then events until none and TX until empty; then the
 * deadline from pollDelayMs drives handleTimeout. A Timeout, ServerDisconnect, ProtocolViolation
 * or ConnectRefused ends the connection: what TX holds is flushed (a DISCONNECT reaches the peer)
 * and the firmware hears transportClosed; its ReconnectDue is answered with transportOpened.
 */
#include "host-loop.h"
#include "firmware-calls.h"
#include "budget.h"
#include "board/uart.h"
#include "board/clock.h"

static link_event_fn on_event;
static int timer_armed;
static uint32_t timer_due;

void link_start(uint32_t now, link_event_fn handler) {
  on_event = handler;
  fw_control(MOTE_CONTROL_TRANSPORT_OPENED, now, 0, 0);
}

static void flush(uint32_t now) {
  uint8_t *tx = fw_memory() + fw_region(MOTE_REGION_TX);
  for (uint32_t n; (n = fw_poll_transmit(now)) != 0;) uart_mqtt_write(tx, n);
}

static int connection_over(uint32_t type) {
  return type == MOTE_EVENT_TYPE_TIMEOUT || type == MOTE_EVENT_TYPE_SERVER_DISCONNECT ||
    type == MOTE_EVENT_TYPE_PROTOCOL_VIOLATION || type == MOTE_EVENT_TYPE_CONNECT_REFUSED;
}

static void arm(uint32_t now) {
  int32_t delay = fw_poll_delay_ms(now);
  timer_armed = delay >= 0;
  timer_due = now + (uint32_t)delay;
}

void link_service(uint32_t now) {
  for (uint32_t pass = 0; pass < BOARD_SERVICE_PASSES_MAX; pass++) {
    uint32_t type = fw_poll_event(now);
    if (type != MOTE_EVENT_TYPE_NONE) {
      on_event(type, now);
      if (type == MOTE_EVENT_TYPE_RECONNECT_DUE) fw_control(MOTE_CONTROL_TRANSPORT_OPENED, now, 0, 0);
      if (connection_over(type)) {
        flush(now);
        fw_control(MOTE_CONTROL_TRANSPORT_CLOSED, now, 0, 0);
      }
      continue;
    }
    uint32_t n = fw_poll_transmit(now);
    if (n == 0) break;
    uart_mqtt_write(fw_memory() + fw_region(MOTE_REGION_TX), n);
  }
  arm(now);
}

void link_feed(uint32_t now) {
  while (uart_mqtt_pending() > 0) {
    int32_t room = fw_rx_reserve();
    if (room <= 0) {
      /* Between connections, or after the firmware rejected the stream: nobody takes these bytes. */
      uart_mqtt_discard(uart_mqtt_pending());
      break;
    }
    uint32_t n = uart_mqtt_read(fw_memory() + fw_rx_write_ptr(), (uint32_t)room);
    fw_receive(n);
    link_service(now);
  }
}

void link_tick(uint32_t now) {
  if (!timer_armed || !clock_reached(now, timer_due)) return;
  timer_armed = 0;
  fw_control(MOTE_CONTROL_HANDLE_TIMEOUT, now, 0, 0);
  link_service(now);
}

int link_next_due(uint32_t *due) {
  if (timer_armed) *due = timer_due;
  return timer_armed;
}
