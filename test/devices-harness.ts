// Shared by the devices-*.test.ts files: a simulation context, a port probe that records what
// arrives at a link end, and frame builders.
import { Rng, Scheduler, TraceBus, type Nanos, type TraceEvent } from '../src/sim';
import {
  EtherType, buildEthernetFrame, emitArp, emitIcmp, emitIpv4, emitUdp, icmpLength, parseIpv4, parseMac,
  IpProtocol, type Mac,
} from '../src/wire';
import type { FrameReceiver, Port } from '../src/devices';

export interface Sim {
  scheduler: Scheduler;
  rng: Rng;
  trace: TraceBus;
}

export function newSim(seed: string | number = 1): Sim {
  return { scheduler: new Scheduler(), rng: Rng.fromSeed(seed), trace: new TraceBus() };
}

/** Records every frame that arrives at a port, with its arrival time; can also send. */
export class Probe implements FrameReceiver {
  readonly frames: { time: Nanos; frame: Uint8Array }[] = [];

  constructor(readonly sim: Sim, readonly port: Port) {
    port.setReceiver(this);
  }

  receiveFrame(frame: Uint8Array): void {
    this.frames.push({ time: this.sim.scheduler.now, frame });
  }

  send(frame: Uint8Array): void {
    this.port.transmit(frame);
  }

  get count(): number {
    return this.frames.length;
  }

  clear(): void {
    this.frames.length = 0;
  }
}

/** Collects trace events of the given kinds. */
export function collectTrace(sim: Sim, kinds: TraceEvent['kind'][] = ['drop', 'decision']): TraceEvent[] {
  const out: TraceEvent[] = [];
  sim.trace.subscribe((e) => {
    if (kinds.includes(e.kind)) out.push(e);
  });
  return out;
}

export const mac = parseMac;
export const ip = parseIpv4;

/** A raw Ethernet frame with `payloadLength` bytes of filler (EtherType 0x88b5, local experimental). */
export function rawFrame(dst: Mac, src: Mac, payloadLength = 46, etherType = 0x88b5): Uint8Array {
  const payload = new Uint8Array(payloadLength);
  for (let i = 0; i < payloadLength; i++) payload[i] = i & 0xff;
  return buildEthernetFrame({ dst, src, etherType }, payload);
}

export function arpRequest(srcMac: Mac, srcIp: number, targetIp: number): Uint8Array {
  const body = new Uint8Array(28);
  emitArp({ op: 1, senderMac: srcMac, senderIp: srcIp, targetMac: 0, targetIp }, body);
  return buildEthernetFrame({ dst: 0xffff_ffff_ffff, src: srcMac, etherType: EtherType.ARP }, body);
}

/** An ICMP echo request/reply frame (98 bytes with the default 56 data bytes, like busybox ping). */
export function icmpEcho(opts: {
  dstMac: Mac; srcMac: Mac; src: number; dst: number; kind?: 'echo-request' | 'echo-reply';
  id?: number; seq?: number; dataLength?: number; ecn?: number; dontFragment?: boolean;
}): Uint8Array {
  const icmp = { kind: opts.kind ?? 'echo-request', identifier: opts.id ?? 0x3290, sequence: opts.seq ?? 0, data: new Uint8Array(opts.dataLength ?? 56) } as const;
  const len = icmpLength(icmp);
  const ipBytes = new Uint8Array(20 + len);
  emitIpv4({ src: opts.src, dst: opts.dst, protocol: IpProtocol.ICMP, ttl: 64, identification: 1, payloadLength: len, ecn: opts.ecn ?? 0, dontFragment: opts.dontFragment ?? true }, ipBytes, 0);
  emitIcmp(icmp, ipBytes, 20);
  return buildEthernetFrame({ dst: opts.dstMac, src: opts.srcMac, etherType: EtherType.IPv4 }, ipBytes);
}

export function udpFrame(opts: { dstMac: Mac; srcMac: Mac; src: number; dst: number; srcPort: number; dstPort: number; payloadLength?: number }): Uint8Array {
  const payload = new Uint8Array(opts.payloadLength ?? 64);
  const ipBytes = new Uint8Array(20 + 8 + payload.length);
  emitIpv4({ src: opts.src, dst: opts.dst, protocol: IpProtocol.UDP, ttl: 64, identification: 7, payloadLength: 8 + payload.length }, ipBytes, 0);
  emitUdp({ srcPort: opts.srcPort, dstPort: opts.dstPort }, payload, ipBytes, 20, opts.src, opts.dst);
  return buildEthernetFrame({ dst: opts.dstMac, src: opts.srcMac, etherType: EtherType.IPv4 }, ipBytes);
}
