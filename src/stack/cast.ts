/**
 * How a datagram is addressed, for the decisions that differ (ARP or not, ICMP errors or not,
 * forwarding or not). Linux keeps the same distinction in the route type (RTN_LOCAL,
 * RTN_BROADCAST, RTN_MULTICAST, RTN_UNICAST) and the frame's pkt_type.
 */
export const Cast = {
  /** A unicast destination on another host. */
  Unicast: 0,
  /** 255.255.255.255 or a subnet's broadcast address. */
  Broadcast: 1,
  /** 224.0.0.0/4. */
  Multicast: 2,
  /** One of this namespace's own addresses (delivered over the loopback). */
  Local: 3,
} as const;
export type CastKind = (typeof Cast)[keyof typeof Cast];

/** The link-layer destination class of a received frame (Linux skb->pkt_type). */
export const PacketType = {
  /** Addressed to this interface's MAC (PACKET_HOST). */
  Host: 0,
  Broadcast: 1,
  Multicast: 2,
  /** For another MAC, seen in promiscuous mode (PACKET_OTHERHOST). */
  OtherHost: 3,
} as const;
export type PacketTypeKind = (typeof PacketType)[keyof typeof PacketType];
