// MQTT reason codes: one table for firmware and host (the host imports this file as TypeScript).
// Plain TypeScript on purpose (no AssemblyScript types or builtins), like abi-numbers.ts.
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

/**
 * The specification's name for a reason code (host side; never reachable from firmware exports).
 * The parameter is typed Reason, a type both compilers know, so no AssemblyScript type reaches
 * the host's declarations; any number is a Reason to TypeScript.
 */
export function reasonText(code: Reason): string {
  switch (code) {
    case Reason.Success: return "Success";
    case Reason.GrantedQoS1: return "Granted QoS 1";
    case Reason.GrantedQoS2: return "Granted QoS 2";
    case Reason.DisconnectWithWill: return "Disconnect with Will Message";
    case Reason.NoMatchingSubscribers: return "No matching subscribers";
    case Reason.NoSubscriptionExisted: return "No subscription existed";
    case Reason.ContinueAuthentication: return "Continue authentication";
    case Reason.ReAuthenticate: return "Re-authenticate";
    case Reason.UnspecifiedError: return "Unspecified error";
    case Reason.MalformedPacket: return "Malformed Packet";
    case Reason.ProtocolError: return "Protocol Error";
    case Reason.ImplementationSpecificError: return "Implementation specific error";
    case Reason.UnsupportedProtocolVersion: return "Unsupported Protocol Version";
    case Reason.ClientIdentifierNotValid: return "Client Identifier not valid";
    case Reason.BadUserNameOrPassword: return "Bad User Name or Password";
    case Reason.NotAuthorized: return "Not authorized";
    case Reason.ServerUnavailable: return "Server unavailable";
    case Reason.ServerBusy: return "Server busy";
    case Reason.Banned: return "Banned";
    case Reason.ServerShuttingDown: return "Server shutting down";
    case Reason.BadAuthenticationMethod: return "Bad authentication method";
    case Reason.KeepAliveTimeout: return "Keep Alive timeout";
    case Reason.SessionTakenOver: return "Session taken over";
    case Reason.TopicFilterInvalid: return "Topic Filter invalid";
    case Reason.TopicNameInvalid: return "Topic Name invalid";
    case Reason.PacketIdentifierInUse: return "Packet Identifier in use";
    case Reason.PacketIdentifierNotFound: return "Packet Identifier not found";
    case Reason.ReceiveMaximumExceeded: return "Receive Maximum exceeded";
    case Reason.TopicAliasInvalid: return "Topic Alias invalid";
    case Reason.PacketTooLarge: return "Packet too large";
    case Reason.MessageRateTooHigh: return "Message rate too high";
    case Reason.QuotaExceeded: return "Quota exceeded";
    case Reason.AdministrativeAction: return "Administrative action";
    case Reason.PayloadFormatInvalid: return "Payload format invalid";
    case Reason.RetainNotSupported: return "Retain not supported";
    case Reason.QoSNotSupported: return "QoS not supported";
    case Reason.UseAnotherServer: return "Use another server";
    case Reason.ServerMoved: return "Server moved";
    case Reason.SharedSubscriptionsNotSupported: return "Shared Subscriptions not supported";
    case Reason.ConnectionRateExceeded: return "Connection rate exceeded";
    case Reason.MaximumConnectTime: return "Maximum connect time";
    case Reason.SubscriptionIdentifiersNotSupported: return "Subscription Identifiers not supported";
    case Reason.WildcardSubscriptionsNotSupported: return "Wildcard Subscriptions not supported";
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
