/*
 * The two CMSDK APB UARTs of QEMU's mps2-an386: UART0 carries MQTT (its received bytes are buffered
 * by an interrupt), UART1 is the write-only debug line. QEMU lists them in the order of its -serial options.
 */
#ifndef MOTE_BOARD_UART_H
#define MOTE_BOARD_UART_H
#include <stdint.h>

void uart_init(void);
/* Sends bytes on the MQTT line (waits while the transmitter is full). */
void uart_mqtt_write(const uint8_t *bytes, uint32_t len);
/* Moves up to max buffered MQTT bytes to dst; returns how many. */
uint32_t uart_mqtt_read(uint8_t *dst, uint32_t max);
/* Buffered MQTT bytes not read yet. */
uint32_t uart_mqtt_pending(void);
/* Drops up to max buffered MQTT bytes (nobody will take them); returns how many. */
uint32_t uart_mqtt_discard(uint32_t max);
void uart_debug_write(const char *text, uint32_t len);

#endif
