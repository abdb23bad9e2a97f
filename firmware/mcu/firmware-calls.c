/*
 * The one firmware instance of the board. Its struct (globals and the memory descriptor) is static;
 * its memory is the runtime's static array (runtime/wasm-rt-static.c). Strings and payloads
 * cross as bytes in SCRATCH, at offset 0, as host/commands.ts lays them out.
 */
#include "firmware-calls.h"
#include "firmware.h"
#include "board/debug.h"
#include "board/startup.h"

static Z_firmware_instance_t instance;
static uint32_t regions[MOTE_REGION_COUNT];
static uint32_t sizes[MOTE_REGION_COUNT];

void fw_start(void) {
  wasm_rt_init();
  Z_firmware_init_module();
  Z_firmware_instantiate(&instance);
  uint32_t abi = Z_firmwareZ_info(&instance, MOTE_INFO_ABI_VERSION, 0);
  if (abi != MOTE_ABI_VERSION) {
    debug_text("firmware ABI ");
    debug_u32(abi);
    debug_text(" does not match the board's abi.h: run npm run build:mcu\n");
    board_stop();
  }
  for (uint32_t id = 0; id < MOTE_REGION_COUNT; id++) {
    regions[id] = Z_firmwareZ_info(&instance, MOTE_INFO_REGION_OFFSET, id);
    sizes[id] = Z_firmwareZ_info(&instance, MOTE_INFO_REGION_SIZE, id);
  }
}

uint8_t *fw_memory(void) { return instance.w2c_memory.data; }
uint32_t fw_memory_bytes(void) { return instance.w2c_memory.size; }
uint32_t fw_region(uint32_t id) { return regions[id]; }
uint32_t fw_region_size(uint32_t id) { return sizes[id]; }
uint32_t fw_budget(uint32_t id) { return Z_firmwareZ_info(&instance, MOTE_INFO_BUDGET, id); }
uint32_t fw_counter(uint32_t id) { return Z_firmwareZ_info(&instance, MOTE_INFO_COUNTER, id); }

uint32_t fw_ev(uint32_t word) {
  const uint8_t *p = fw_memory() + regions[MOTE_REGION_EVENT] + 4 * word;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int32_t fw_control(uint32_t op, uint32_t a, uint32_t b, uint32_t c) {
  return (int32_t)Z_firmwareZ_control(&instance, op, a, b, c);
}

/* Client id at SCRATCH 0; no user name, password or will; props_len CONNECT properties in PROPS. */
int32_t fw_configure(uint32_t version, uint32_t clean, uint32_t keep_alive_s, uint32_t id_len, uint32_t props_len) {
  const uint32_t absent = (uint32_t)-1;
  return (int32_t)Z_firmwareZ_configure(&instance, version, clean, keep_alive_s, 0, id_len, 0, absent, 0, absent, 0, absent, 0, absent, 0, 0,
    props_len);
}

int32_t fw_rx_reserve(void) { return (int32_t)Z_firmwareZ_rxReserve(&instance); }
uint32_t fw_rx_write_ptr(void) { return Z_firmwareZ_rxWritePtr(&instance); }
int32_t fw_receive(uint32_t len) { return (int32_t)Z_firmwareZ_receive(&instance, len); }
uint32_t fw_poll_event(uint32_t now) { return Z_firmwareZ_pollEvent(&instance, now); }
uint32_t fw_poll_transmit(uint32_t now) { return Z_firmwareZ_pollTransmit(&instance, now); }
int32_t fw_poll_delay_ms(uint32_t now) { return (int32_t)Z_firmwareZ_pollDelayMs(&instance, now); }

/* Topic at SCRATCH 0; the payload follows in fw_publish_write calls. Returns the packet id or -Status. */
int32_t fw_publish_begin(uint32_t topic_len, uint32_t total_len, uint32_t qos) {
  return (int32_t)Z_firmwareZ_publishBegin(&instance, 0, topic_len, total_len, qos, 0);
}

/* Appends len payload bytes from SCRATCH 0; returns the bytes still expected, or -Status. */
int32_t fw_publish_write(uint32_t len) {
  return (int32_t)Z_firmwareZ_publishWrite(&instance, 0, len);
}
