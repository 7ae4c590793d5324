/**
 * ARP in a namespace (Linux net/ipv4/arp.c, arp_process and arp_solicit, with the default
 * sysctls arp_ignore = 0, arp_announce = 0, arp_accept = 0, arp_filter = 0, proxy_arp = 0).
 *
 * Receiving:
 * - frames for another MAC (promiscuous mode) and unknown opcodes are ignored; so are packets
 *   about multicast or loopback addresses;
 * - a request for one of our addresses (any interface's: Linux's weak host model with
 *   arp_ignore = 0) is answered by unicast to the asker, and the asker is learnt as STALE
 *   (neigh_event_ns): that is why the kernel fixtures show one who-has/is-at pair per
 *   conversation, never a second request in the other direction;
 * - an ARP probe (sender 0.0.0.0, RFC 5227) for our address is answered too, nothing learnt;
 * - any other packet updates an existing entry for its sender: REACHABLE for a reply sent to
 *   our MAC, STALE otherwise (broadcast replies, gratuitous ARP, requests for others). A new
 *   MAC replaces the old one only after locktime (1 s) unless the packet is gratuitous
 *   (RFC 5227 announcements, `arping -U`). No entry is created from such packets (arp_accept = 0).
 *
 * Sending: requests have an all-zero target MAC and go to broadcast, or to the known MAC when
 * re-validating a STALE entry (PROBE). The sender IP is the source of the datagram waiting for
 * the answer when that is one of our addresses, else the interface's address on the target's
 * subnet (arp_announce = 0): so a router forwarding 10.0.0.2's datagram asks
 * "who has 10.9.0.2? tell 10.9.0.1", as the routed fixture shows. Frames are 42 bytes, unpadded.
 */
import {
  ArpOp, ArpPacket, EtherType, WireError, emitArp, isLoopbackIpv4, isMulticastIpv4, readU32,
  writeU16, writeU48, MAC_BROADCAST, ARP_LEN, type Ipv4, type Mac,
} from '../wire';
import { PacketType, type PacketTypeKind } from './cast';
import { DropReason } from './drop-counters';
import type { NetInterface } from './net-interface';
import type { NetworkNamespace } from './network-namespace';

const ETH_HLEN = 14;

/** Counters of ARP traffic. */
export interface ArpStats {
  requestsIn: number;
  repliesIn: number;
  requestsOut: number;
  repliesOut: number;
}

export class ArpLayer {
  readonly #ns: NetworkNamespace;
  readonly stats: ArpStats = { requestsIn: 0, repliesIn: 0, requestsOut: 0, repliesOut: 0 };

  constructor(ns: NetworkNamespace) {
    this.#ns = ns;
  }

  /** An ARP frame arrived on `iface`. */
  input(frame: Uint8Array, iface: NetInterface, pktType: PacketTypeKind): void {
    const ns = this.#ns;
    if (pktType === PacketType.OtherHost) {
      ns.drops.count(DropReason.OtherHost, iface.name, frame);
      return;
    }
    let arp: ArpPacket;
    try {
      arp = ArpPacket.parse(frame.subarray(ETH_HLEN));
    } catch (e) {
      ns.drops.count(e instanceof WireError ? e.message : 'arp: malformed', iface.name, frame);
      return;
    }
    const op = arp.op;
    if (op !== ArpOp.Request && op !== ArpOp.Reply) {
      ns.drops.count(DropReason.ArpIgnored, iface.name, frame);
      return;
    }
    if (op === ArpOp.Request) this.stats.requestsIn++;
    else this.stats.repliesIn++;
    const sip = arp.senderIp;
    const tip = arp.targetIp;
    const sha = arp.senderMac;
    if (isMulticastIpv4(tip) || isLoopbackIpv4(tip) || isMulticastIpv4(sip) || isLoopbackIpv4(sip)) {
      ns.drops.count(DropReason.ArpIgnored, iface.name, frame);
      return;
    }
    if (sip === 0) {
      // RFC 5227 probe: answer if it asks for one of our addresses, learn nothing.
      if (op === ArpOp.Request && ns.isLocalAddress(tip)) this.#sendReply(iface, tip, sha, 0);
      return;
    }
    if (op === ArpOp.Request && ns.isLocalAddress(tip) && !ns.isLocalAddress(sip)) {
      ns.neighbours.learnFromRequest(iface, sip, sha);
      this.#sendReply(iface, tip, sha, sip);
      return;
    }
    if (ns.isLocalAddress(sip)) return; // someone else claims our address: nothing to learn
    // arp_is_garp: a gratuitous reply also needs target MAC = sender MAC.
    const garp = sip === tip && (op === ArpOp.Request || arp.targetMac === sha);
    const state = op === ArpOp.Reply && pktType === PacketType.Host ? 'reachable' : 'stale';
    const override = garp || !ns.neighbours.withinLocktime(iface, sip);
    ns.neighbours.received(iface, sip, sha, state, override);
  }

  /**
   * arp_solicit: a request for `targetIp` on `iface`, broadcast or to `dstMac`. `trigger` is the
   * frame (IP datagram at offset 14) waiting for the answer, if any.
   */
  solicit(iface: NetInterface, targetIp: Ipv4, dstMac: Mac | undefined, trigger: Uint8Array | undefined): void {
    const ns = this.#ns;
    let senderIp: Ipv4 | undefined;
    if (trigger !== undefined && trigger.length >= ETH_HLEN + 20) {
      const src = readU32(trigger, ETH_HLEN + 12);
      if (ns.isLocalAddress(src)) senderIp = src;
    }
    senderIp ??= ns.selectSourceAddress(iface, targetIp, 'link');
    this.stats.requestsOut++;
    this.#send(iface, dstMac ?? MAC_BROADCAST, ArpOp.Request, senderIp, 0, targetIp);
  }

  /**
   * A gratuitous ARP request announcing `ip` on `iface` (RFC 5227 §3 announcement, what
   * `arping -U -I iface ip` sends): sender and target IP are both `ip`.
   */
  announce(iface: NetInterface, ip: Ipv4): void {
    this.stats.requestsOut++;
    this.#send(iface, MAC_BROADCAST, ArpOp.Request, ip, 0, ip);
  }

  #sendReply(iface: NetInterface, ourIp: Ipv4, askerMac: Mac, askerIp: Ipv4): void {
    this.stats.repliesOut++;
    this.#send(iface, askerMac, ArpOp.Reply, ourIp, askerMac, askerIp);
  }

  #send(iface: NetInterface, dstMac: Mac, op: number, senderIp: Ipv4, targetMac: Mac, targetIp: Ipv4): void {
    if (!iface.up || iface.kind === 'loopback') return;
    const frame = new Uint8Array(ETH_HLEN + ARP_LEN);
    writeU48(frame, 0, dstMac);
    writeU48(frame, 6, iface.mac);
    writeU16(frame, 12, EtherType.ARP);
    emitArp({ op, senderMac: iface.mac, senderIp, targetMac, targetIp }, frame, ETH_HLEN);
    iface.transmit(frame);
  }
}
