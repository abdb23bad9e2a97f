// MQTT 5 enhanced authentication (4.12) from the client's side, as one interface: a method name,
// the data the CONNECT carries (computed per connection: a fresh nonce, a fresh token), the
// answer to each server challenge (AUTH 0x18), and the check of the server's final word (the
// CONNACK's or AUTH Success's Authentication Data), which is how a client detects a server that
// does not know its secret. The Device runs the exchange (host/auth/device-auth.ts); built-in
// methods live beside this file.

export interface Authenticator {
  /** The Authentication Method, the same in the CONNECT and every AUTH [MQTT-4.12.1-1]. */
  readonly method: string;
  /** The CONNECT's Authentication Data for the next connection (called before each one), or undefined for none. */
  start(): Buffer | undefined | Promise<Buffer | undefined>;
  /** Answers a server AUTH Continue authentication (0x18): the next Authentication Data. Throws to give up (the Device closes). */
  challenge(data: Buffer | undefined): Buffer | undefined | Promise<Buffer | undefined>;
  /**
   * The server accepted (CONNACK 0x00, or AUTH Success ending a re-authentication) with this data:
   * throws when it does not prove the server (a wrong SCRAM server signature); the Device then closes.
   */
  success?(data: Buffer | undefined): void;
  /** The data of a re-authentication's AUTH 0x19 (default: start()). */
  reauthenticate?(): Buffer | undefined | Promise<Buffer | undefined>;
  /** After a successful exchange: in how many ms to re-authenticate (a token about to expire), or undefined for never. */
  renewInMs?(): number | undefined;
}
