/*
 * The sensor application over the firmware's commands. Readings are queued whether or not the
 * line is up (the outbox holds them); the sequence number counts readings the outbox accepted, so
 * a subscriber sees consecutive numbers unless one was refused (reported on the debug UART).
 * The session outlives a lost connection (MQTT 5 Session Expiry, 3.1.1 clean session off), so
 * unacknowledged readings are resent with DUP after a reconnect.
 */
#include "sensor-app.h"
#include "firmware-calls.h"
#include "board/debug.h"

#define TOPIC_BYTES_MAX (sizeof "board//temperature" + BOARD_CLIENT_ID_BYTES_MAX)
#define QOS_1 1u
#define MQTT_311 4u
#define MQTT_5 5u
#define UNLIMITED_PACKET_BYTES 268435455u
#define READING_BYTES_MAX 48u

typedef struct { char text[TOPIC_BYTES_MAX]; uint32_t len; } topic_t;

static topic_t reading_topic, cmd_topic, ack_topic;
static uint32_t interval_ms;
static uint32_t next_reading;
static uint32_t sequence;
/* An acknowledgement being streamed (a command that arrives in chunks is answered in chunks). */
static int ack_open;

static void topic_make(topic_t *t, const board_params_t *params, const char *leaf) {
  static const char prefix[] = "board/";
  uint32_t n = 0;
  for (uint32_t i = 0; prefix[i] != 0; i++) t->text[n++] = prefix[i];
  for (uint32_t i = 0; i < params->client_id_len; i++) t->text[n++] = params->client_id[i];
  t->text[n++] = '/';
  for (uint32_t i = 0; leaf[i] != 0; i++) t->text[n++] = leaf[i];
  t->len = n;
}

static uint8_t *scratch(void) {
  return fw_memory() + fw_region(MOTE_REGION_SCRATCH);
}

static void copy(uint8_t *dst, const void *src, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) dst[i] = ((const uint8_t *)src)[i];
}

static uint32_t prop_u16(uint8_t *p, uint32_t id, uint32_t v) {
  p[0] = (uint8_t)id, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)v;
  return 3;
}

static uint32_t prop_u32(uint8_t *p, uint32_t id, uint32_t v) {
  p[0] = (uint8_t)id, p[1] = (uint8_t)(v >> 24), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 8), p[4] = (uint8_t)v;
  return 5;
}

/* The CONNECT properties host/commands.ts announces from the budget, plus the session's expiry. */
static uint32_t connect_properties(void) {
  uint8_t *p = fw_memory() + fw_region(MOTE_REGION_PROPS);
  uint32_t n = prop_u32(p, MOTE_PROP_SESSION_EXPIRY_INTERVAL, BOARD_SESSION_EXPIRY_S);
  n += prop_u16(p + n, MOTE_PROP_RECEIVE_MAXIMUM, fw_budget(MOTE_BUDGET_INBOUND_QOS2_SLOTS));
  uint32_t aliases = fw_budget(MOTE_BUDGET_TOPIC_ALIAS_IN_SLOTS);
  if (aliases > 0) n += prop_u16(p + n, MOTE_PROP_TOPIC_ALIAS_MAXIMUM, aliases);
  uint32_t max_packet = fw_budget(MOTE_BUDGET_MAX_INBOUND_PACKET_BYTES);
  if (max_packet < UNLIMITED_PACKET_BYTES) n += prop_u32(p + n, MOTE_PROP_MAXIMUM_PACKET_SIZE, max_packet);
  return n;
}

int32_t app_configure(const board_params_t *params, uint32_t now) {
  topic_make(&reading_topic, params, "temperature");
  topic_make(&cmd_topic, params, "cmd");
  topic_make(&ack_topic, params, "ack");
  interval_ms = params->interval_s * 1000u;
  next_reading = now + interval_ms;
  int v5 = fw_budget(MOTE_BUDGET_MQTT5_ENABLED) != 0;
  uint32_t props_len = 0;
  if (v5) {
    props_len = connect_properties();
    fw_control(MOTE_CONTROL_PROPS_SET, props_len, 0, 0);
  }
  copy(scratch(), params->client_id, params->client_id_len);
  /* 3.1.1 keeps the session with clean session off; 5.0 starts clean and keeps it by its expiry. */
  int32_t rc = fw_configure(v5 ? MQTT_5 : MQTT_311, v5 ? 1 : 0, params->keep_alive_s, params->client_id_len, props_len);
  /* Reconnect jitter differs per board: seeded from the client id. */
  uint32_t seed = 2166136261u;
  for (uint32_t i = 0; i < params->client_id_len; i++) seed = (seed ^ (uint8_t)params->client_id[i]) * 16777619u;
  fw_control(MOTE_CONTROL_SET_OPTION, MOTE_OPTION_SEED, seed, 0);
  return rc;
}

static void subscribe(void) {
  uint8_t *s = scratch();
  s[0] = (uint8_t)(cmd_topic.len >> 8), s[1] = (uint8_t)cmd_topic.len;
  copy(s + 2, cmd_topic.text, cmd_topic.len);
  s[2 + cmd_topic.len] = QOS_1;
  int32_t id = fw_control(MOTE_CONTROL_REQUEST, MOTE_PACKET_TYPE_SUBSCRIBE, 0, cmd_topic.len + 3);
  if (id < 0) debug_text("subscribe refused\n");
}

static uint32_t append(char *out, uint32_t n, const char *text) {
  while (*text != 0) out[n++] = *text++;
  return n;
}

/* {"seq":N,"celsius":D.D}: a made-up temperature that moves with the sequence number. */
static uint32_t reading(char *out, uint32_t seq) {
  uint32_t tenths = 200 + (seq * 7) % 50;
  uint32_t n = append(out, 0, "{\"seq\":");
  n += format_u32(out + n, seq);
  n = append(out, n, ",\"celsius\":");
  n += format_u32(out + n, tenths / 10);
  out[n++] = '.';
  out[n++] = (char)('0' + tenths % 10);
  return append(out, n, "}");
}

static void publish_reading(void) {
  char payload[READING_BYTES_MAX];
  uint32_t len = reading(payload, sequence + 1);
  copy(scratch(), reading_topic.text, reading_topic.len);
  if (fw_publish_begin(reading_topic.len, len, QOS_1) < 0) {
    debug_text("reading refused: outbox full\n");
    return;
  }
  copy(scratch(), payload, len);
  fw_publish_write(len);
  sequence++;
  debug_text("reading ");
  debug_u32(sequence);
  debug_text("\n");
}

void app_tick(uint32_t now) {
  if ((int32_t)(now - next_reading) < 0) return;
  next_reading += interval_ms;
  if ((int32_t)(now - next_reading) >= 0) next_reading = now + interval_ms; /* late: no burst to catch up */
  publish_reading();
}

uint32_t app_next_due(void) {
  return next_reading;
}

static int topic_is(const topic_t *t, uint32_t ptr, uint32_t len) {
  const uint8_t *p = fw_memory() + ptr;
  if (len != t->len) return 0;
  for (uint32_t i = 0; i < len; i++) if (p[i] != (uint8_t)t->text[i]) return 0;
  return 1;
}

/* Answers a command with its payload on the ack topic, chunk by chunk, in SCRATCH-sized pieces. */
static void acknowledge(void) {
  uint32_t flags = fw_ev(MOTE_EV_FLAGS);
  if (flags & MOTE_FLAG_FIRST_CHUNK) {
    ack_open = 0;
    if (!topic_is(&cmd_topic, fw_ev(MOTE_EV_TOPIC_PTR), fw_ev(MOTE_EV_TOPIC_LEN))) return;
    copy(scratch(), ack_topic.text, ack_topic.len);
    ack_open = fw_publish_begin(ack_topic.len, fw_ev(MOTE_EV_TOTAL), QOS_1) >= 0 && fw_ev(MOTE_EV_TOTAL) > 0;
    debug_text(ack_open || fw_ev(MOTE_EV_TOTAL) == 0 ? "command acknowledged\n" : "command not acknowledged: outbox full\n");
  }
  uint32_t ptr = fw_ev(MOTE_EV_PAYLOAD_PTR), left = fw_ev(MOTE_EV_PAYLOAD_LEN), piece_max = fw_region_size(MOTE_REGION_SCRATCH);
  while (ack_open && left > 0) {
    uint32_t piece = left < piece_max ? left : piece_max;
    copy(scratch(), fw_memory() + ptr, piece);
    ack_open = fw_publish_write(piece) > 0;
    ptr += piece, left -= piece;
  }
}

void app_on_event(uint32_t type, uint32_t now) {
  static const char *const names[] = MOTE_EVENT_TYPE_NAMES;
  (void)now;
  debug_text("event ");
  debug_text(type < sizeof names / sizeof names[0] ? names[type] : "?");
  if (type == MOTE_EVENT_TYPE_CONNECT_REFUSED || type == MOTE_EVENT_TYPE_PROTOCOL_VIOLATION || type == MOTE_EVENT_TYPE_SERVER_DISCONNECT) {
    debug_text(" reason ");
    debug_hex(fw_ev(MOTE_EV_REASON));
  }
  debug_text("\n");
  if (type == MOTE_EVENT_TYPE_CONNECTED) subscribe();
  else if (type == MOTE_EVENT_TYPE_MESSAGE) acknowledge();
}
