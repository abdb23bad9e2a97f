/*
 * CMSDK APB UART driver (registers as QEMU's cmsdk-apb-uart models them). UART0 receives by
 * interrupt into a ring; when the ring is full the interrupt is switched off and the byte stays in
 * the UART, so QEMU stops taking bytes from its socket: back pressure instead of loss.
 */
#include "uart.h"
#include "../budget.h"

typedef struct {
  volatile uint32_t data;
  volatile uint32_t state;     /* bit 0 TX full, bit 1 RX full */
  volatile uint32_t ctrl;      /* bit 0 TX enable, bit 1 RX enable, bit 3 RX interrupt enable */
  volatile uint32_t intstatus; /* write 1 to clear; bit 1 RX */
  volatile uint32_t bauddiv;
} cmsdk_uart_t;

#define UART0 ((cmsdk_uart_t *)0x40004000u)
#define UART1 ((cmsdk_uart_t *)0x40005000u)
#define STATE_TX_FULL 1u
#define STATE_RX_FULL 2u
#define CTRL_TX_EN 1u
#define CTRL_RX_EN 2u
#define CTRL_RX_INT_EN 8u
#define INT_RX 2u
/* mps2-an386 interrupt of UART0's receiver, and the NVIC's set-enable register. */
#define UART0_RX_IRQ 0u
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)

#if (BOARD_RX_RING_BYTES & (BOARD_RX_RING_BYTES - 1)) != 0
#error "BOARD_RX_RING_BYTES must be a power of two"
#endif

static uint8_t ring[BOARD_RX_RING_BYTES];
/* Free-running indexes: the interrupt advances head, the main loop tail. */
static volatile uint32_t head;
static volatile uint32_t tail;

void uart_init(void) {
  UART0->bauddiv = BOARD_CPU_HZ / BOARD_UART_BAUD;
  UART1->bauddiv = BOARD_CPU_HZ / BOARD_UART_BAUD;
  UART1->ctrl = CTRL_TX_EN;
  UART0->ctrl = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN;
  NVIC_ISER0 = 1u << UART0_RX_IRQ;
}

/* Moves what UART0 holds into the ring; a full ring leaves the byte in the UART and masks the interrupt. */
static void take_received(void) {
  while (UART0->state & STATE_RX_FULL) {
    if (head - tail == BOARD_RX_RING_BYTES) {
      UART0->ctrl &= ~CTRL_RX_INT_EN;
      return;
    }
    ring[head % BOARD_RX_RING_BYTES] = (uint8_t)UART0->data;
    head = head + 1;
  }
}

void uart0_rx_isr(void) {
  take_received();
  UART0->intstatus = INT_RX;
}

/*
 * The main loop made room: unmask the interrupt and take what waits in the UART now, because
 * QEMU raises the interrupt when a byte arrives, not when the mask opens over one already there.
 */
static void made_room(void) {
  __asm volatile("cpsid i" ::: "memory");
  UART0->ctrl |= CTRL_RX_INT_EN;
  take_received();
  __asm volatile("cpsie i" ::: "memory");
}

uint32_t uart_mqtt_read(uint8_t *dst, uint32_t max) {
  uint32_t n = 0;
  while (n < max && tail != head) {
    dst[n++] = ring[tail % BOARD_RX_RING_BYTES];
    tail = tail + 1;
  }
  if (n > 0) made_room();
  return n;
}

uint32_t uart_mqtt_discard(uint32_t max) {
  uint32_t n = 0;
  while (n < max && tail != head) {
    tail = tail + 1;
    n++;
  }
  if (n > 0) made_room();
  return n;
}

uint32_t uart_mqtt_pending(void) {
  return head - tail;
}

static void write_bytes(cmsdk_uart_t *uart, const uint8_t *bytes, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) {
    while (uart->state & STATE_TX_FULL) {}
    uart->data = bytes[i];
  }
}

void uart_mqtt_write(const uint8_t *bytes, uint32_t len) {
  write_bytes(UART0, bytes, len);
}

void uart_debug_write(const char *text, uint32_t len) {
  write_bytes(UART1, (const uint8_t *)text, len);
}
