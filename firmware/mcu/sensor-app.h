/*
 * The board's application: a sensor that publishes board/<id>/temperature (QoS 1, a sequence
 * number in each reading) every interval, subscribes to board/<id>/cmd (QoS 1) and answers each
 * command by publishing its payload to board/<id>/ack. MQTT 5 when the module has it compiled in
 * (the default profile), else 3.1.1 (tiny).
 */
#ifndef MOTE_SENSOR_APP_H
#define MOTE_SENSOR_APP_H
#include <stdint.h>
#include "board-params.h"

/* Configures the firmware's session; returns 0 or the firmware's -Status. */
int32_t app_configure(const board_params_t *params, uint32_t now);
void app_on_event(uint32_t type, uint32_t now);
/* Publishes a reading when one is due. */
void app_tick(uint32_t now);
uint32_t app_next_due(void);

#endif
