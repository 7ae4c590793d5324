/**
 * A network interface as the namespace's IPv4 stack sees it: an ifindex, a name, a link-layer
 * device underneath (a `Nic` on a link, or the namespace's own loopback), the up/down switch
 * and the IPv4 addresses (`ip addr`).
 *
 * Heads up: the MAC address and the MTU are the device's (a `Nic`'s fields), read live, so
 * `ip link set mtu` on the device is seen at once by routing and fragmentation.
 */
import type { Nic } from '../devices';
import type { Ipv4, Mac } from '../wire';

/** iproute2 address scopes (rtnetlink RT_SCOPE_*). */
export type AddressScope = 'global' | 'link' | 'host';

/** One IPv4 address on an interface, as `ip addr` shows it. */
export interface InterfaceAddress {
  readonly address: Ipv4;
  readonly prefixLen: number;
  /** The subnet's broadcast address ("brd"), 0 for /31 and /32 (RFC 3021: no broadcast). */
  readonly broadcast: Ipv4;
  /** 127.0.0.0/8 addresses are scope host, every other address scope global (as iproute2 sets). */
  readonly scope: AddressScope;
  /**
   * A second address in a subnet the interface already has is "secondary" (Linux
   * IFA_F_SECONDARY): it adds no connected route, is never chosen as a source address, and goes
   * away with its primary (promote_secondaries = 0).
   */
  readonly secondary: boolean;
}

export type InterfaceKind = 'loopback' | 'ethernet';

/** The loopback device's MTU (Linux since 3.x: 65536). */
export const LOOPBACK_MTU = 65536;

export class NetInterface {
  readonly ifindex: number;
  readonly name: string;
  readonly kind: InterfaceKind;
  /** The device on a link (undefined for the loopback). */
  readonly nic: Nic | undefined;
  /** Addresses in the order they were added (the first primary of a subnet is its source). */
  readonly addresses: InterfaceAddress[] = [];
  #up: boolean;
  readonly #send: (frame: Uint8Array) => void;

  constructor(ifindex: number, name: string, kind: InterfaceKind, nic: Nic | undefined, up: boolean, send: (frame: Uint8Array) => void) {
    this.ifindex = ifindex;
    this.name = name;
    this.kind = kind;
    this.nic = nic;
    this.#up = up;
    this.#send = send;
  }

  /** The device's MAC (0 for the loopback, whose frames carry all-zero addresses). */
  get mac(): Mac {
    return this.nic ? this.nic.mac : 0;
  }

  /** The device's MTU (L3 bytes). */
  get mtu(): number {
    return this.nic ? this.nic.mtu : LOOPBACK_MTU;
  }

  /** Administrative state (IFF_UP). */
  get up(): boolean {
    return this.#up;
  }

  /** Sets IFF_UP; the namespace does the routing consequences (NetworkNamespace.setLinkUp). */
  setUp(up: boolean): void {
    this.#up = up;
    if (this.nic) this.nic.up = up;
  }

  /** Hands a finished frame to the device (the loopback schedules its own delivery). */
  transmit(frame: Uint8Array): void {
    this.#send(frame);
  }

  /** The first primary address, if any (what `inet_select_addr` falls back to). */
  get primaryAddress(): Ipv4 | undefined {
    for (const a of this.addresses) if (!a.secondary) return a.address;
    return undefined;
  }
}
