// `import ... from "mqtt-mote/sim"`: the fleet API. parseFleetConfig reads `mote sim` flags (and a
// config file), runFleet runs the fleet, fleetReport turns the run into the report and
// writeReports writes report.json, report.md and report.html; runSim is all of `mote sim`.
export { DEFAULTS, parseFleetConfig, type FleetConfig, type GroupConfig, type ModemDialect } from "./config.ts";
export { runFleet, type FleetRun } from "./fleet.ts";
export { fleetReport } from "./fleet-report.ts";
export { markdown, html, writeReports } from "./report.ts";
export type * from "./report-types.ts";
export { runSim, verdict, type SimOutput } from "./main.ts";
export { embeddedBroker, externalBroker, type FleetBroker } from "./broker.ts";
export * from "./modem-emulator/index.ts";
