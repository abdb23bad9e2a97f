/*
 * The firmware's calls by name, over the few exports wasm2c translated (the C twin of the facade
 * in host/firmware.ts): one instance, its memory, its regions, and the event record.
 */
#ifndef MOTE_FIRMWARE_CALLS_H
#define MOTE_FIRMWARE_CALLS_H
#include <stdint.h>
#include "abi.h"

/* Instantiates the module (its data segments are copied into the memory array), checks its ABI version, reads its regions. */
void fw_start(void);
uint8_t *fw_memory(void);
/* Bytes of module memory the board gave the instance (its static extent). */
uint32_t fw_memory_bytes(void);
/* Offset of a region (MOTE_REGION_*) in the module's memory, and its size. */
uint32_t fw_region(uint32_t id);
uint32_t fw_region_size(uint32_t id);
uint32_t fw_budget(uint32_t id);
uint32_t fw_counter(uint32_t id);
/* One word (MOTE_EV_*) of the event record pollEvent() filled. */
uint32_t fw_ev(uint32_t word);
int32_t fw_control(uint32_t op, uint32_t a, uint32_t b, uint32_t c);
int32_t fw_configure(uint32_t version, uint32_t clean, uint32_t keep_alive_s, uint32_t id_len, uint32_t props_len);
int32_t fw_rx_reserve(void);
uint32_t fw_rx_write_ptr(void);
int32_t fw_receive(uint32_t len);
uint32_t fw_poll_event(uint32_t now);
uint32_t fw_poll_transmit(uint32_t now);
int32_t fw_poll_delay_ms(uint32_t now);
int32_t fw_publish_begin(uint32_t topic_len, uint32_t total_len, uint32_t qos);
int32_t fw_publish_write(uint32_t len);

#endif
