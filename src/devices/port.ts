/**
 * Ports: how devices meet links.
 *
 * Every connection between two devices is a link with two ends, and each end is a `Port`. A
 * device (a NIC, a bridge, a VXLAN endpoint) holds the ports it is attached to: it calls
 * `transmit` to put a frame on the link, and it registers itself with `setReceiver` to be
 * handed the frames that arrive. Delivery to the far end is always a scheduled event, even on
 * a zero-delay link (DESIGN.md: no recursion across devices).
 *
 * Heads up: frames are immutable once transmitted. A bridge flooding one frame hands the same
 * buffer to several ports; a receiver that needs to change bytes (TTL, NAT, encapsulation)
 * writes a new buffer.
 */
export interface FrameReceiver {
  /** A frame arrived at `port` (one of the receiver's own ports). */
  receiveFrame(frame: Uint8Array, port: Port): void;
}

export interface Port {
  /** A name for traces and captures, "host:ifname" (e.g. "node1:veth1a2b3c4"). */
  readonly name: string;
  /** The link's MTU in bytes of L3 payload: a frame longer than mtu + its Ethernet header is dropped and counted. */
  readonly mtu: number;
  /** The other end of the same link. */
  readonly peer: Port;
  /** Puts a frame on the link; it reaches `peer`'s receiver after the link's delay. */
  transmit(frame: Uint8Array): void;
  /** Sets who is handed the frames that arrive at this end (one receiver per port). */
  setReceiver(receiver: FrameReceiver): void;
}
