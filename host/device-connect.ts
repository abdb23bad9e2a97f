// connect() and connectAsync(): a Device on a broker URL, and one that resolves once the broker
// accepted it (or rejects with the first error, without retrying before the first CONNACK).
import { Option } from "./abi.ts";
import { Device, type DeviceOptions } from "./device.ts";

/** Opens a device on a broker URL (mqtt://, mqtts://, ws://, wss://). */
export function connect(url: string, options: DeviceOptions = {}): Device {
  return new Device(url, options);
}

/**
 * Like connect(), resolving once the broker accepted the connection (or rejecting with the first
 * error; it does not retry before the first CONNACK). `setup` runs before any byte is read:
 * attach "message" and "error" listeners there, since messages a resumed session had queued
 * can arrive in the same read as the CONNACK, before the promise settles.
 */
export function connectAsync(url: string, options: DeviceOptions = {}, setup?: (d: Device) => void): Promise<Device> {
  return new Promise((resolve, reject) => {
    let d: Device;
    try {
      d = connect(url, { ...options, reconnect: options.reconnect ?? false });
      setup?.(d);
    } catch (e) {
      return reject(e);
    }
    const onError = (e: Error) => {
      d.off("connect", onConnect);
      void d.end();
      reject(e);
    };
    const onConnect = () => {
      d.off("error", onError);
      if (options.reconnect !== false) d.fw.exports.setOption(Option.AutoReconnect, 1);
      resolve(d);
    };
    d.once("error", onError);
    d.once("connect", onConnect);
  });
}
