// MQTT reason codes: one table for firmware and host (the host imports this file as TypeScript).
// Values and wording are the MQTT 5.0 specification's (section 2.4, Reason Code); MQTT 3.1.1
// CONNACK return codes 1-5 are mapped onto their 5.0 equivalents by the firmware.

export enum Reason {
  Success = 0x00, // also Normal disconnection and Granted QoS 0
  GrantedQoS1 = 0x01,
  GrantedQoS2 = 0x02,
  DisconnectWithWill = 0x04,
  NoMatchingSubscribers = 0x10,
  NoSubscriptionExisted = 0x11,
  ContinueAuthentication = 0x18,
  ReAuthenticate = 0x19,
  UnspecifiedError = 0x80,
  MalformedPacket = 0x81,
  ProtocolError = 0x82,
  ImplementationSpecificError = 0x83,
  UnsupportedProtocolVersion = 0x84,
  ClientIdentifierNotValid = 0x85,
  BadUserNameOrPassword = 0x86,
  NotAuthorized = 0x87,
  ServerUnavailable = 0x88,
  ServerBusy = 0x89,
  Banned = 0x8a,
  ServerShuttingDown = 0x8b,
  BadAuthenticationMethod = 0x8c,
  KeepAliveTimeout = 0x8d,
  SessionTakenOver = 0x8e,
  TopicFilterInvalid = 0x8f,
  TopicNameInvalid = 0x90,
  PacketIdentifierInUse = 0x91,
  PacketIdentifierNotFound = 0x92,
  ReceiveMaximumExceeded = 0x93,
  TopicAliasInvalid = 0x94,
  PacketTooLarge = 0x95,
  MessageRateTooHigh = 0x96,
  QuotaExceeded = 0x97,
  AdministrativeAction = 0x98,
  PayloadFormatInvalid = 0x99,
  RetainNotSupported = 0x9a,
  QoSNotSupported = 0x9b,
  UseAnotherServer = 0x9c,
  ServerMoved = 0x9d,
  SharedSubscriptionsNotSupported = 0x9e,
  ConnectionRateExceeded = 0x9f,
  MaximumConnectTime = 0xa0,
  SubscriptionIdentifiersNotSupported = 0xa1,
  WildcardSubscriptionsNotSupported = 0xa2,
}

/** The specification's name for a reason code (host side; never reachable from firmware exports). */
export function reasonText(code: i32): string {
  switch (code) {
    case 0x00: return "Success";
    case 0x01: return "Granted QoS 1";
    case 0x02: return "Granted QoS 2";
    case 0x04: return "Disconnect with Will Message";
    case 0x10: return "No matching subscribers";
    case 0x11: return "No subscription existed";
    case 0x18: return "Continue authentication";
    case 0x19: return "Re-authenticate";
    case 0x80: return "Unspecified error";
    case 0x81: return "Malformed Packet";
    case 0x82: return "Protocol Error";
    case 0x83: return "Implementation specific error";
    case 0x84: return "Unsupported Protocol Version";
    case 0x85: return "Client Identifier not valid";
    case 0x86: return "Bad User Name or Password";
    case 0x87: return "Not authorized";
    case 0x88: return "Server unavailable";
    case 0x89: return "Server busy";
    case 0x8a: return "Banned";
    case 0x8b: return "Server shutting down";
    case 0x8c: return "Bad authentication method";
    case 0x8d: return "Keep Alive timeout";
    case 0x8e: return "Session taken over";
    case 0x8f: return "Topic Filter invalid";
    case 0x90: return "Topic Name invalid";
    case 0x91: return "Packet Identifier in use";
    case 0x92: return "Packet Identifier not found";
    case 0x93: return "Receive Maximum exceeded";
    case 0x94: return "Topic Alias invalid";
    case 0x95: return "Packet too large";
    case 0x96: return "Message rate too high";
    case 0x97: return "Quota exceeded";
    case 0x98: return "Administrative action";
    case 0x99: return "Payload format invalid";
    case 0x9a: return "Retain not supported";
    case 0x9b: return "QoS not supported";
    case 0x9c: return "Use another server";
    case 0x9d: return "Server moved";
    case 0x9e: return "Shared Subscriptions not supported";
    case 0x9f: return "Connection rate exceeded";
    case 0xa0: return "Maximum connect time";
    case 0xa1: return "Subscription Identifiers not supported";
    case 0xa2: return "Wildcard Subscriptions not supported";
  }
  return "Unknown reason code";
}

/** Local errors: a command the host asked for could not be carried out. Never sent on the wire. */
export enum Status {
  Ok = 0,
  /** TX has no room now (or a large packet is half-sent): drain pollTransmit() and retry. */
  WouldBlock = 1,
  /** The outbox has no room for the message under the current overflow policy. */
  OutboxFull = 2,
  /** The packet exceeds a buffer of this profile or the server's Maximum Packet Size. */
  TooLarge = 3,
  /** The command needs a connected session (or the session is not idle for connect). */
  InvalidState = 4,
  /** An argument breaks the specification (bad UTF-8, wildcard in a topic name, QoS 3, ...). */
  BadArgument = 5,
  /** Every packet identifier or request slot is in use. */
  NoSlot = 6,
  /** The feature is not compiled into this profile (for example MQTT 5 in "tiny"). */
  Unsupported = 7,
  /** The server's CONNACK forbids it (Maximum QoS, Retain Available, ...). */
  NotAllowed = 8,
}
