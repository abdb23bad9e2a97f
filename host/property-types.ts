// The MQTT 5 properties (spec 2.2.2.2, Table 2-4) as the Device API's types: one interface of
// every property, named and typed as mqtt-packet and MQTT.js name and type them, and the subset
// each packet may carry (spec 3.x.2.3), so an editor offers the right names and a misspelt one
// fails to compile. host/properties.ts maps these objects to and from bytes.

/** User Property pairs: a name given more than once has its values in order. */
export type UserProperties = Record<string, string | string[]>;

/** Every MQTT 5 property. Which packet may carry which is in the per-packet types below. */
export interface Properties {
  /** 0x01: true when the payload is UTF-8 text. */
  payloadFormatIndicator?: boolean;
  /** 0x02: seconds the server keeps an undelivered message. */
  messageExpiryInterval?: number;
  /** 0x03: the payload's MIME type, or any text. */
  contentType?: string;
  /** 0x08: the topic a reply goes to. */
  responseTopic?: string;
  /** 0x09: ties a reply to its request. */
  correlationData?: Buffer;
  /** 0x0B: 1 to 268,435,455; a received PUBLISH that matched several subscriptions has several. */
  subscriptionIdentifier?: number | number[];
  /** 0x11: seconds the server keeps the session after the connection closes (0xFFFFFFFF: never expires). */
  sessionExpiryInterval?: number;
  /** 0x12: the client id the server chose for an empty one. */
  assignedClientIdentifier?: string;
  /** 0x13: the keep alive, in seconds, the server wants instead of ours. */
  serverKeepAlive?: number;
  /** 0x15: the enhanced authentication method. */
  authenticationMethod?: string;
  /** 0x16: the authentication exchange's data. */
  authenticationData?: Buffer;
  /** 0x17: false asks the server for no Reason String or User Property on failures. */
  requestProblemInformation?: boolean;
  /** 0x18: seconds the server waits before it publishes the will. */
  willDelayInterval?: number;
  /** 0x19: true asks the server for Response Information in CONNACK. */
  requestResponseInformation?: boolean;
  /** 0x1A: the basis of response topics, from the server. */
  responseInformation?: string;
  /** 0x1C: another server to use. */
  serverReference?: string;
  /** 0x1F: a human-readable reason. */
  reasonString?: string;
  /** 0x21: most QoS 1/2 messages in flight the sender of this property accepts. */
  receiveMaximum?: number;
  /** 0x22: highest topic alias the sender of this property accepts. */
  topicAliasMaximum?: number;
  /** 0x23: a topic alias (the firmware assigns outgoing ones itself). */
  topicAlias?: number;
  /** 0x24: the highest QoS the server supports (0 or 1; absent: 2). */
  maximumQoS?: number;
  /** 0x25: whether the server supports retained messages. */
  retainAvailable?: boolean;
  /** 0x26: name/value pairs. */
  userProperties?: UserProperties;
  /** 0x27: the largest packet, in bytes, the sender of this property accepts. */
  maximumPacketSize?: number;
  /** 0x28: whether the server supports wildcard subscriptions. */
  wildcardSubscriptionAvailable?: boolean;
  /** 0x29: whether the server supports subscription identifiers. */
  subscriptionIdentifiersAvailable?: boolean;
  /** 0x2A: whether the server supports shared subscriptions. */
  sharedSubscriptionAvailable?: boolean;
}

/** Name of an MQTT 5 property, as Properties spells it. */
export type PropertyName = keyof Properties;

/** CONNECT (spec 3.1.2.11). */
export type ConnectProperties = Pick<Properties, "sessionExpiryInterval" | "receiveMaximum" | "maximumPacketSize" |
  "topicAliasMaximum" | "requestResponseInformation" | "requestProblemInformation" | "userProperties" | "authenticationMethod" |
  "authenticationData">;

/** The will in CONNECT (spec 3.1.3.2). */
export type WillProperties = Pick<Properties, "willDelayInterval" | "payloadFormatIndicator" | "messageExpiryInterval" |
  "contentType" | "responseTopic" | "correlationData" | "userProperties">;

/** CONNACK (spec 3.2.2.3), as the Device reports it. */
export type ConnackProperties = Pick<Properties, "sessionExpiryInterval" | "receiveMaximum" | "maximumQoS" | "retainAvailable" |
  "maximumPacketSize" | "assignedClientIdentifier" | "topicAliasMaximum" | "reasonString" | "userProperties" |
  "wildcardSubscriptionAvailable" | "subscriptionIdentifiersAvailable" | "sharedSubscriptionAvailable" | "serverKeepAlive" |
  "responseInformation" | "serverReference" | "authenticationMethod" | "authenticationData">;

/** PUBLISH (spec 3.3.2.3): what publish() sends and what a "message" event carries. */
export type PublishProperties = Pick<Properties, "payloadFormatIndicator" | "messageExpiryInterval" | "topicAlias" |
  "responseTopic" | "correlationData" | "userProperties" | "subscriptionIdentifier" | "contentType">;

/** SUBSCRIBE (spec 3.8.2.1): one Subscription Identifier (the firmware refuses several), and User Properties. */
export type SubscribeProperties = Pick<Properties, "subscriptionIdentifier" | "userProperties">;

/** UNSUBSCRIBE (spec 3.10.2.1). */
export type UnsubscribeProperties = Pick<Properties, "userProperties">;

/** DISCONNECT (spec 3.14.2.2). */
export type DisconnectProperties = Pick<Properties, "sessionExpiryInterval" | "reasonString" | "userProperties" | "serverReference">;

/** AUTH (spec 3.15.2.2): the "auth" event's properties. */
export type AuthProperties = Pick<Properties, "authenticationMethod" | "authenticationData" | "reasonString" | "userProperties">;
