// A vehicle tracker: a track on the sphere whose heading and speed wander between readings;
// the position advances by speed × the time since the previous reading.
import type { Prng } from "../prng.ts";
import { quantize, type ModelSpec, type Reading, type SensorModel } from "./types.ts";

/** Each track starts in [LAT_MIN, LAT_MIN + LAT_SPAN) × [LON_MIN, LON_MIN + LON_SPAN) (central Europe). */
export const GPS_START_LAT_MIN_DEG = 48;
export const GPS_START_LAT_SPAN_DEG = 6;
export const GPS_START_LON_MIN_DEG = 6;
export const GPS_START_LON_SPAN_DEG = 8;
export const GPS_SPEED_MAX_MS = 30;
/** Standard deviations of the per-reading wander of speed and heading. */
export const GPS_SPEED_STEP_SD_MS = 0.5;
export const GPS_HEADING_STEP_SD_DEG = 5;
/** Mean Earth radius (IUGG). */
export const EARTH_RADIUS_M = 6_371_008.8;
const DEG = Math.PI / 180;

export const GPS_SPEC: ModelSpec = {
  channels: {
    lat: { decimals: 6, min: -90, max: 90 },
    lon: { decimals: 6, min: -180, max: 180 },
    spd: { decimals: 1, min: 0, max: GPS_SPEED_MAX_MS },
    hdg: { decimals: 0, min: 0, max: 359 },
  },
};

export class GpsModel implements SensorModel {
  readonly name = "gps";
  private lat: number;
  private lon: number;
  private speed: number;
  private heading: number;
  /** Time of the previous reading; undefined before the first (which therefore moves by 0). */
  private lastMs: number | undefined;

  constructor(private readonly prng: Prng) {
    this.lat = GPS_START_LAT_MIN_DEG + GPS_START_LAT_SPAN_DEG * prng.next();
    this.lon = GPS_START_LON_MIN_DEG + GPS_START_LON_SPAN_DEG * prng.next();
    this.speed = GPS_SPEED_MAX_MS * prng.next();
    this.heading = 360 * prng.next();
  }

  next(tMs: number): Reading {
    // u32 difference, so a fleet clock that wraps still yields the true interval.
    const dtS = this.lastMs === undefined ? 0 : ((tMs - this.lastMs) >>> 0) / 1000;
    this.lastMs = tMs;
    this.speed = reflect(this.speed + GPS_SPEED_STEP_SD_MS * this.prng.normal(), GPS_SPEED_MAX_MS);
    this.heading = (((this.heading + GPS_HEADING_STEP_SD_DEG * this.prng.normal()) % 360) + 360) % 360;
    this.advance(this.speed * dtS);
    const ch = GPS_SPEC.channels;
    return {
      model: this.name,
      values: [
        ["lat", quantize(this.lat, ch.lat)],
        ["lon", quantize(this.lon, ch.lon)],
        ["spd", quantize(this.speed, ch.spd)],
        ["hdg", Math.round(this.heading) % 360],
      ],
    };
  }

  /** Moves distanceM along the great circle of the current heading (exact on the sphere, poles included). */
  private advance(distanceM: number): void {
    const d = distanceM / EARTH_RADIUS_M;
    const phi = this.lat * DEG;
    const theta = this.heading * DEG;
    const phi2 = Math.asin(Math.sin(phi) * Math.cos(d) + Math.cos(phi) * Math.sin(d) * Math.cos(theta));
    const dLambda = Math.atan2(Math.sin(theta) * Math.sin(d) * Math.cos(phi), Math.cos(d) - Math.sin(phi) * Math.sin(phi2));
    this.lat = phi2 / DEG;
    this.lon = ((((this.lon + dLambda / DEG + 180) % 360) + 360) % 360) - 180;
  }
}

/** Folds v back into [0, max], as a speed that hits a bound turns around rather than sticking to it. */
function reflect(v: number, max: number): number {
  const a = Math.abs(v);
  return a > max ? 2 * max - a : a;
}
