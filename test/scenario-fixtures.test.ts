// The bundled scenarios against the real kernel (../shared/fixtures/kernel): run through the
// scenario runner exactly as `cnmlab run` runs them, scenarios/routed-traceroute.yaml and
// scenarios/vxlan-by-hand.yaml print what busybox printed on the kernel (times aside) and put
// the kernel's frames on the links the fixtures were captured on: the same protocols in the same
// order, the same lengths, TTLs, DF flags, ICMP types and codes, UDP ports, VXLAN VNI and port
// (kernel-compare.ts says what is compared and what is random). And `cnmlab run` passes on every
// bundled scenario.
//
// Which of our links is which fixture:
// - routed-rb.pcap was captured on the router's interface towards the forwarding host: r1's
//   eth0, the LAN port transit.r1.eth0; routed-ra.pcap on its interface towards container 3: r1's
//   eth1, lan1.r1.eth1. Both captures start with the ping; busybox traceroute's first probe
//   (TTL 1) dies at the first hop and never reaches the router.
// - overlay-n1-underlay.pcap is host n1's underlay NIC: the LAN port underlay.n1.eth0;
//   overlay-o1-eth0.pcap is the container's eth0: the veth pair n1.veth0--o1.eth0.
// The scenarios' LAN ports have cnmlab's default LAN timing (50 µs a port), so frames are up to
// a few hundred microseconds later than on the kernel's veths: well within the 20 ms tolerance.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { main, type CliIo } from '../src/cli';
import { MemorySink, readCapture } from '../src/pcap';
import { defaultPrograms, loadScenarioText, runScenario, type RunReport, type RunStepResult } from '../src/scenario';
import { EtherType, IcmpPacket, IpProtocol, Ipv4Packet, UdpPacket, VxlanHeader, frameEtherType, verifyUdpChecksum } from '../src/wire';
import { compare, cut, fixture, KERNEL_FIXTURES, recordedFrom } from './kernel-compare';
import type { Recorded } from './stack-harness';

const ROOT = resolve(__dirname, '..', '..');
const SCENARIOS = join(ROOT, 'scenarios');

interface Run { report: RunReport; captures: Map<string, Uint8Array> }

/** Runs a bundled scenario in memory, with the programs `cnmlab run` gives every machine. */
function runBundled(file: string): Run {
  const path = `scenarios/${file}`;
  const sinks = new Map<string, MemorySink>();
  const report = runScenario(loadScenarioText(readFileSync(join(ROOT, path), 'utf8'), path), {
    programs: defaultPrograms(),
    captures: (p) => {
      const s = new MemorySink();
      sinks.set(p, s);
      return s;
    },
  });
  return { report, captures: new Map([...sinks].map(([k, s]) => [k, s.bytes().slice()])) };
}

function linkCapture(run: Run, file: string): Recorded[] {
  const bytes = run.captures.get(file);
  expect(bytes, `${file} among ${[...run.captures.keys()].join(', ')}`).to.not.equal(undefined);
  return recordedFrom(bytes!);
}

function step(run: Run, command: string): RunStepResult {
  const s = run.report.steps.find((r): r is RunStepResult => r.kind === 'run' && r.command === command);
  expect(s, `a step "${command}"`).to.not.equal(undefined);
  return s!;
}

/** Every failed expectation of a run, with the step's output (empty when all held). */
function failures(report: RunReport): string[] {
  const out: string[] = [];
  for (const s of report.steps) {
    if (s.kind !== 'run') continue;
    for (const c of s.checks) if (!c.passed) out.push(`${s.command}: ${c.message}\n${s.stdout}${s.stderr}`);
    if (s.status !== 'done') out.push(`${s.command}: ${s.status} ${s.note ?? ''}`);
  }
  return out;
}

/** busybox output with the measured times taken out (they come from the wire's timing). */
function withoutTimes(text: string): string {
  return text.replace(/round-trip min\/avg\/max = [0-9./]+ ms/g, 'round-trip min/avg/max = T ms')
    .replace(/time=\d+\.\d{3} ms/g, 'time=T ms')
    .replace(/ {2}\d+\.\d{3} ms$/gm, '  T ms');
}

/** The IPv4 datagrams of a capture. */
function datagrams(frames: Recorded[]): Ipv4Packet[] {
  return frames.filter((r) => frameEtherType(r.frame) === EtherType.IPv4).map((r) => Ipv4Packet.parse(r.frame.subarray(14)));
}

describe('bundled scenarios against the kernel fixtures', function () {
  this.timeout(30000);

  it('cnmlab run passes on every scenario in scenarios/', async () => {
    const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).to.include.members(['linux-bridge.yaml', 'routed-traceroute.yaml', 'vxlan-by-hand.yaml']);
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTty: false };
    const code = await main(['run', ...files.map((f) => join(SCENARIOS, f)), '--no-captures', '--quiet'], io);
    expect(code, stdout + stderr).to.equal(0);
    const summaries = stdout.match(/^\d+ passed, \d+ failed/gm) ?? [];
    expect(summaries).to.have.length(files.length);
    for (const s of summaries) expect(s).to.match(/^[1-9]\d* passed, 0 failed$/);
  });

  describe('routed-traceroute.yaml (routed-*.pcap, routed-ping.txt)', () => {
    let run: Run;
    before(() => { run = runBundled('routed-traceroute.yaml'); });

    it('every expectation holds, and ping and traceroute print what busybox printed on the kernel', () => {
      expect(failures(run.report)).to.deep.equal([]);
      const printed = step(run, 'ping -c 2 10.1.0.2').stdout + step(run, 'traceroute -n -q 1 10.1.0.2').stdout;
      expect(withoutTimes(printed)).to.equal(withoutTimes(readFileSync(join(KERNEL_FIXTURES, 'routed-ping.txt'), 'utf8')));
    });

    it("r1's interface towards c3 (lan1.r1.eth1) carries routed-ra.pcap's frames", () => {
      const kernel = fixture('routed-ra.pcap');
      compare(cut(linkCapture(run, 'lan1.r1.eth1.pcap'), kernel), kernel, { udpSourcePortsAsRoles: true });
    });

    it("r1's interface towards gw (transit.r1.eth0) carries routed-rb.pcap's frames", () => {
      const kernel = fixture('routed-rb.pcap');
      compare(cut(linkCapture(run, 'transit.r1.eth0.pcap'), kernel), kernel, { udpSourcePortsAsRoles: true });
    });

    it("traceroute's probes come from one port with busybox's 0x8000 bit, and every UDP checksum verifies", () => {
      const all = [...linkCapture(run, 'lan0.c1.eth0.pcap'), ...linkCapture(run, 'transit.r1.eth0.pcap'), ...linkCapture(run, 'lan1.r1.eth1.pcap')];
      const udp = datagrams(all).filter((p) => p.protocol === IpProtocol.UDP);
      expect(udp.map((p) => UdpPacket.parse(p.payload).dstPort).sort()).to.include.members([33435, 33436, 33437]);
      const ports = new Set(udp.map((p) => UdpPacket.parse(p.payload).srcPort));
      expect(ports.size).to.equal(1);
      expect([...ports][0]! & 0x8000).to.equal(0x8000);
      for (const p of udp) expect(verifyUdpChecksum(p.payload, p.src, p.dst)).to.equal(true);
      // The three answers, in order, on c1's LAN port: time exceeded from gw, then from r1, then port unreachable from c3.
      const errors = datagrams(linkCapture(run, 'lan0.c1.eth0.pcap')).filter((p) => p.protocol === IpProtocol.ICMP)
        .map((p) => ({ from: p.src, m: IcmpPacket.parse(p.payload) })).filter((e) => e.m.isError);
      expect(errors.map((e) => `${e.m.type}/${e.m.code}`)).to.deep.equal(['11/0', '11/0', '3/3']);
    });
  });

  describe('vxlan-by-hand.yaml (overlay-*.pcap, overlay-ping.txt)', () => {
    let run: Run;
    before(() => { run = runBundled('vxlan-by-hand.yaml'); });

    it('every expectation holds, and ping prints what busybox printed on the kernel', () => {
      expect(failures(run.report)).to.deep.equal([]);
      const printed = step(run, 'ip netns exec o1 ping -c 3 10.0.1.3').stdout;
      expect(withoutTimes(printed)).to.equal(withoutTimes(readFileSync(join(KERNEL_FIXTURES, 'overlay-ping.txt'), 'utf8')));
    });

    it("n1's underlay NIC (underlay.n1.eth0) carries overlay-n1-underlay.pcap's frames: 148-byte VXLAN datagrams, VNI 4097, port 4789", () => {
      const kernel = fixture('overlay-n1-underlay.pcap');
      const ours = linkCapture(run, 'underlay.n1.eth0.pcap');
      compare(cut(ours, kernel), kernel);
      // One outer source port for the whole flow (both directions), in Linux's default range, and final UDP checksums.
      const udp = datagrams(ours).filter((p) => p.protocol === IpProtocol.UDP);
      expect(udp).to.have.length(6);
      const ports = new Set(udp.map((p) => UdpPacket.parse(p.payload).srcPort));
      expect(ports.size).to.equal(1);
      expect([...ports][0]).to.be.within(32768, 60999);
      for (const p of udp) {
        expect(verifyUdpChecksum(p.payload, p.src, p.dst)).to.equal(true);
        expect(VxlanHeader.parse(UdpPacket.parse(p.payload).payload).vni).to.equal(4097);
      }
    });

    it("the container's eth0 (n1.veth0--o1.eth0) carries overlay-o1-eth0.pcap's frames", () => {
      const kernel = fixture('overlay-o1-eth0.pcap');
      compare(cut(linkCapture(run, 'n1.veth0--o1.eth0.pcap'), kernel), kernel);
    });

    it('the comparison notices a wrong VNI, a wrong VXLAN port or a missing frame', () => {
      const kernel = fixture('overlay-n1-underlay.pcap');
      const ours = cut(linkCapture(run, 'underlay.n1.eth0.pcap'), kernel);
      const vxlanAt = 14 + 20 + 8; // Ethernet, IPv4 without options, UDP
      const vni = ours.map((r) => ({ ...r, frame: r.frame.slice() }));
      vni[2]!.frame[vxlanAt + 6] = vni[2]!.frame[vxlanAt + 6]! ^ 1;
      expect(() => compare(vni, kernel)).to.throw();
      const port = ours.map((r) => ({ ...r, frame: r.frame.slice() }));
      port[3]!.frame[14 + 20 + 3] = port[3]!.frame[14 + 20 + 3]! ^ 1;
      expect(() => compare(port, kernel)).to.throw();
      expect(() => compare(ours.slice(1), kernel)).to.throw();
    });
  });

  it('all.pcapng explains each outer VXLAN datagram with the VTEP it was encapsulated to', () => {
    // SCENARIOS.md "Captures": packet comments say what a device decided, e.g.
    // "vxlan0: encapsulated to 192.168.2.10 VNI 4097". The note must sit on the outer frame on
    // the underlay link, not only on the inner frame inside the host.
    const run = runBundled('vxlan-by-hand.yaml');
    const all = readCapture(run.captures.get('all.pcapng')!);
    const onUnderlay = all.packets.filter((p) => all.interfaces[p.interfaceId]?.name === 'n1:eth0'
      && p.data.length === 148 && (p.comment ?? '').includes('encapsulated to VTEP'));
    expect(onUnderlay.map((p) => p.comment!.split(';')[0])).to.include.members([
      'vxlan0: encapsulated to VTEP 192.168.50.12 (VNI 4097)',
    ]);
  });
});
