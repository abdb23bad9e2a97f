// The session's states and the one table of which inputs each state accepts. Read this file
// first: it is the whole state machine as data, written to be checked against the spec row by row.
//
// Plain TypeScript on purpose (no AssemblyScript types or builtins): the firmware compiles it,
// and the host and the tests import the same file, so State and the table cannot drift.
// Transitions (and the timer that runs in each state) are in state.ts.
//
//   Idle --transportOpened--> Connecting --CONNACK ok--> Connected
//   Connecting, Connected --violation, timeout, server DISCONNECT, our DISCONNECT--> Closing
//   any --transportClosed--> WaitReconnect (auto reconnect) or Idle (ended by the host, or off)
//   WaitReconnect --reconnect delay passed: ReconnectDue, the host reopens--> Connecting

export enum State { Idle = 0, WaitReconnect = 1, Connecting = 2, Connected = 3, Closing = 4 }

/**
 * What can happen to the session. Inputs 1-15 are packets received from the server, numbered
 * by their MQTT packet type, so a received packet's type is its input. Whether a packet type is
 * receivable at all in 3.1.1 (DISCONNECT and AUTH are 5.0 only) is the codec's rule
 * (codec/decode.ts receivable), not a state's.
 */
export enum Input {
  Connect = 1, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe, Suback, Unsubscribe, Unsuback,
  Pingreq, Pingresp, Disconnect, Auth,
  /** AUTH from the server with reason Success: it ends a re-authentication the client began. */
  AuthSuccess,
  /** Received bytes are parsed into packets; in a state without it they are dropped unread. */
  ParseRx,
  /** The host opened a transport: CONNECT goes out (the session must also be configured). */
  TransportOpened,
  /** The transport closed, from either side. */
  TransportClosed,
  /** The host's timer fired: each state's timer is armed only while it lasts (state.ts). */
  HandleTimeout,
  /** configure(): a new client id, will, credentials, and a new session. */
  Configure,
  /** The host queues a PUBLISH in the outbox; it is sent in a state with SendQueued. */
  QueuePublish,
  /** Queued PUBLISH packets leave the outbox for TX. */
  SendQueued,
  /** The host sends SUBSCRIBE or UNSUBSCRIBE. */
  SendRequest,
  /** The host's disconnect() sends DISCONNECT; in a state without it the session ends with no packet. */
  SendDisconnect,
  /** The host sends AUTH (MQTT 5 enhanced authentication). */
  SendAuth,
  /**
   * configure() with CONFIGURE_KEEP_SESSION: a fresh CONNECT for the next connection (credentials
   * or authentication data that expire); the session stays.
   */
  RefreshConnect,
}

// One bit per Input; a row is every input its state accepts. An input outside a state's row
// gets the answer state.ts documents: a packet is a Protocol Error (or dropped, without
// ParseRx), a host command is refused with Status.InvalidState.
const CONNACK = 1 << Input.Connack;
/** What the server may send once CONNACK has accepted the session. */
const SESSION_PACKETS = 1 << Input.Publish | 1 << Input.Puback | 1 << Input.Pubrec | 1 << Input.Pubrel |
  1 << Input.Pubcomp | 1 << Input.Suback | 1 << Input.Unsuback | 1 << Input.Pingresp;
/**
 * DISCONNECT (5.0). Before CONNACK it breaks [MQTT-3.14.0-1], but it ends the connection either
 * way, and its reason code tells the host more than a Protocol Error would: it is accepted.
 */
const SERVER_DISCONNECT = 1 << Input.Disconnect;
/** AUTH Continue Authentication: before CONNACK and in a re-authentication (4.12). */
const AUTH_CONTINUE = 1 << Input.Auth;
const AUTH_SUCCESS = 1 << Input.AuthSuccess;
/** Always accepted: the transport may close, and timers fire, at any time; messages queue in any state. */
const ALWAYS = 1 << Input.TransportClosed | 1 << Input.HandleTimeout | 1 << Input.QueuePublish;
const OPEN = 1 << Input.TransportOpened;
const CONFIGURE = 1 << Input.Configure;
/** Between connections: the next CONNECT may carry fresh credentials. */
const REFRESH = 1 << Input.RefreshConnect;
/** A connection that is up (CONNECT sent, not yet closing): its bytes are read, DISCONNECT and AUTH may go out. */
const LIVE = 1 << Input.ParseRx | 1 << Input.SendDisconnect | 1 << Input.SendAuth;
const CONNECTED_ONLY = 1 << Input.SendQueued | 1 << Input.SendRequest;

/** Which inputs each state accepts, one row per state (the rule each row encodes is cited). */
export enum Accepts {
  /** Not connected and nothing scheduled: the host may configure and open a transport. */
  Idle = ALWAYS | OPEN | CONFIGURE | REFRESH,
  /** Waiting for the reconnect delay (backoff with jitter): the host may open early, with fresh credentials. */
  WaitReconnect = ALWAYS | OPEN | REFRESH,
  /**
   * CONNECT sent. The first packet from the server must be CONNACK [MQTT-3.2.0-1]; before it
   * only AUTH Continue Authentication [MQTT-4.12.0-2] and (5.0) DISCONNECT may arrive. Queued
   * PUBLISH packets and SUBSCRIBE wait for CONNACK, which may refuse the session.
   */
  Connecting = ALWAYS | LIVE | CONNACK | SERVER_DISCONNECT | AUTH_CONTINUE,
  /**
   * CONNACK accepted. A second CONNACK is a Protocol Error [MQTT-3.2.0-2]; CONNECT, SUBSCRIBE,
   * UNSUBSCRIBE and PINGREQ are packets only a server receives, in every state.
   */
  Connected = ALWAYS | LIVE | CONNECTED_ONLY | SESSION_PACKETS | SERVER_DISCONNECT | AUTH_CONTINUE | AUTH_SUCCESS,
  /** The connection is over (flush, then the host closes): bytes still arriving are dropped. */
  Closing = ALWAYS | OPEN | REFRESH,
}

