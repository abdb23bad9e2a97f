/*
 * The host loop of host/link.ts, in C, over the board's UART: the line is always "open", so a
 * connection that is over is closed at once and a due reconnect reopens it at once.
 */
#ifndef MOTE_HOST_LOOP_H
#define MOTE_HOST_LOOP_H
#include <stdint.h>

/* Receives every event the firmware reports (read the record with fw_ev) before the loop acts on it. */
typedef void (*link_event_fn)(uint32_t type, uint32_t now);

/* The line is up: the firmware's CONNECT goes out on the next service. */
void link_start(uint32_t now, link_event_fn on_event);
/* Feeds what UART0 received to the firmware (servicing after each piece). */
void link_feed(uint32_t now);
/* Calls handleTimeout once the firmware's deadline has come. */
void link_tick(uint32_t now);
/* Events until none, TX until empty: one pass of the loop. */
void link_service(uint32_t now);
/* When the firmware next needs the loop: its deadline, or never (returns 0 and leaves *due alone). */
int link_next_due(uint32_t *due);

#endif
