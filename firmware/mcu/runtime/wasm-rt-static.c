/*
 * The runtime wasm2c's output needs, for a board without a heap: replaces wabt's wasm-rt-impl.c
 * (which maps memory and installs signal handlers). The module's memory is one static array sized
 * to the module's static extent (its data segments and regions), which the build reads from the
 * module into module-memory.h. wasm2c's explicit bounds checks (WASM_RT_MEMCHECK_SIGNAL_HANDLER=0)
 * compare every access with that size, so an access beyond it traps instead of touching other RAM.
 * A trap is reported on the debug UART with its kind; then the board halts or resets (budget.h).
 */
#include "wasm-rt.h"
#include "module-memory.h"
#include "../board/debug.h"
#include "../board/startup.h"

/* A build may ask for less (the trap build does), never for more than the module's static extent. */
#ifndef MODULE_MEMORY_BYTES
#define MODULE_MEMORY_BYTES MODULE_STATIC_EXTENT_BYTES
#endif
#if MODULE_MEMORY_BYTES > MODULE_STATIC_EXTENT_BYTES
#error "MODULE_MEMORY_BYTES exceeds the module's static extent"
#endif
#define WASM_PAGE_BYTES 65536u

static uint8_t module_memory[MODULE_MEMORY_BYTES] __attribute__((aligned(16)));
static bool initialized;
static uint32_t func_types;

void wasm_rt_init(void) {
  initialized = true;
}

bool wasm_rt_is_initialized(void) {
  return initialized;
}

/* Each signature gets its own number: enough for a module that makes no indirect calls across types. */
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  (void)params;
  (void)results;
  return func_types++;
}

/* The module asks for whole pages; it gets the static array (a module that never grows uses no more). */
void wasm_rt_allocate_memory(wasm_rt_memory_t *memory, uint32_t initial_pages, uint32_t max_pages) {
  uint64_t asked = (uint64_t)initial_pages * WASM_PAGE_BYTES;
  memory->data = module_memory;
  memory->pages = initial_pages;
  memory->max_pages = max_pages;
  memory->size = asked < MODULE_MEMORY_BYTES ? (uint32_t)asked : MODULE_MEMORY_BYTES;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *memory, uint32_t pages) {
  (void)memory;
  (void)pages;
  return (uint32_t)-1; /* memory.grow fails, as the Wasm spec allows; the firmware never calls it */
}

void wasm_rt_free_memory(wasm_rt_memory_t *memory) {
  memory->size = 0;
}

static const char *const TRAP_NAMES[] = {
  "none", "out of bounds memory access", "integer overflow", "integer divide by zero", "invalid conversion to integer",
  "unreachable executed", "indirect call type mismatch", "uncaught exception", "call stack exhausted",
};

void wasm_rt_trap(wasm_rt_trap_t kind) {
  uint32_t k = (uint32_t)kind;
  debug_text("trap: ");
  debug_u32(k);
  debug_text(" ");
  debug_text(k < sizeof TRAP_NAMES / sizeof TRAP_NAMES[0] ? TRAP_NAMES[k] : "unknown");
  debug_text(" (module memory ");
  debug_u32(MODULE_MEMORY_BYTES);
  debug_text(" bytes)\n");
  board_stop();
}
