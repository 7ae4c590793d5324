// Shared by the userland-net-*.test.ts and resolver-*.test.ts files: topologies built with the
// stack API (the kernel fixtures' bridge and routed layouts), a way to run a program in a
// namespace until it exits, and a small DNS server answering from a table.
import { Bridge, Link, Nic, type LinkParams } from '../src/devices';
import { NetworkNamespace } from '../src/stack';
import { sec, type Nanos } from '../src/sim';
import {
  DnsClass, DnsRcode, DnsType, emitDns, parseDns, reverseNameOf, type DnsMessage, type DnsRecord, type Ipv4,
} from '../src/wire';
import { MemoryFiles, type ProgramEnv, type ProgramIo, type ProcessHandle } from '../src/userland';
import type { NetProgram } from '../src/userland/net/net-program';
import { ip, mac, newSim, type Sim } from './stack-harness';

export { ip, mac, newSim, type Sim };

export interface Machine {
  ns: NetworkNamespace;
  files: MemoryFiles;
}

/** A namespace with the files of an alpine container: /etc/hosts, and /etc/resolv.conf when given. */
export function machine(ns: NetworkNamespace, resolvConf?: string, hosts?: string): Machine {
  const files = new MemoryFiles({ '/etc/hosts': hosts ?? '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' });
  if (resolvConf !== undefined) files.write('/etc/resolv.conf', resolvConf);
  return { ns, files };
}

/** Connects `ns` to `bridge` through a veth pair named like Docker's (vethN on the bridge, eth0 inside). */
function plugVeth(sim: Sim, bridge: Bridge, ns: NetworkNamespace, n: number, macAddr: number, params: Partial<LinkParams> = {}): Link {
  const link = new Link(sim, [`veth${n}`, `${ns.name}:eth0`], params);
  bridge.addPort(link.a, { name: `veth${n}` });
  ns.addInterface(new Nic(sim, link.b, { name: 'eth0', mac: macAddr }));
  return link;
}

/**
 * The bridge fixture: host namespace with br0 10.0.0.1/24, containers c1 10.0.0.2 and
 * c2 10.0.0.3 (MACs 02:42 + IPv4) on veth pairs, default routes via 10.0.0.1.
 */
export function bridgeTopology(sim: Sim, params: Partial<LinkParams> = {}): { host: NetworkNamespace; c1: NetworkNamespace; c2: NetworkNamespace; links: Link[] } {
  const host = new NetworkNamespace(sim, 'host', { forwarding: true });
  const br0 = new Bridge(sim, { name: 'br0', mac: mac('02:00:00:00:00:01') });
  host.addInterface(new Nic(sim, br0.selfPort, { name: 'br0', mac: br0.mac }));
  host.addAddress('br0', '10.0.0.1/24');
  const c1 = new NetworkNamespace(sim, 'c1');
  const c2 = new NetworkNamespace(sim, 'c2');
  const links = [
    plugVeth(sim, br0, c1, 1, mac('02:42:0a:00:00:02'), params),
    plugVeth(sim, br0, c2, 2, mac('02:42:0a:00:00:03'), params),
  ];
  c1.addAddress('eth0', '10.0.0.2/24');
  c2.addAddress('eth0', '10.0.0.3/24');
  c1.addRoute({ dst: 'default', via: '10.0.0.1' });
  c2.addRoute({ dst: 'default', via: '10.0.0.1' });
  return { host, c1, c2, links };
}

/**
 * The routed fixture: c1 10.0.0.2/24 —(veth)— host (10.0.0.1, forwarding) 10.9.0.1/30 —
 * router 10.9.0.2/30, 10.1.0.1/24 —(veth)— c3 10.1.0.2/24.
 */
export function routedTopology(sim: Sim): {
  c1: NetworkNamespace; host: NetworkNamespace; router: NetworkNamespace; c3: NetworkNamespace;
  /** c1–host, host–router, router–c3. */
  links: Link[];
} {
  const c1 = new NetworkNamespace(sim, 'c1');
  const host = new NetworkNamespace(sim, 'host', { forwarding: true });
  const router = new NetworkNamespace(sim, 'router', { forwarding: true });
  const c3 = new NetworkNamespace(sim, 'c3');
  const links: Link[] = [];
  const wire = (a: NetworkNamespace, aIf: string, aMac: string, b: NetworkNamespace, bIf: string, bMac: string): void => {
    const link = new Link(sim, [`${a.name}:${aIf}`, `${b.name}:${bIf}`]);
    a.addInterface(new Nic(sim, link.a, { name: aIf, mac: mac(aMac) }));
    b.addInterface(new Nic(sim, link.b, { name: bIf, mac: mac(bMac) }));
    links.push(link);
  };
  wire(c1, 'eth0', '02:42:0a:00:00:02', host, 'veth1', '02:00:00:00:01:01');
  wire(host, 'ra', '02:00:00:00:09:01', router, 'rb', '02:00:00:00:09:02');
  wire(router, 'veth3', '02:00:00:00:01:03', c3, 'eth0', '02:42:0a:01:00:02');
  c1.addAddress('eth0', '10.0.0.2/24');
  host.addAddress('veth1', '10.0.0.1/24');
  host.addAddress('ra', '10.9.0.1/30');
  router.addAddress('rb', '10.9.0.2/30');
  router.addAddress('veth3', '10.1.0.1/24');
  c3.addAddress('eth0', '10.1.0.2/24');
  c1.addRoute({ dst: 'default', via: '10.0.0.1' });
  host.addRoute({ dst: '10.1.0.0/24', via: '10.9.0.2' });
  router.addRoute({ dst: '10.0.0.0/24', via: '10.9.0.1' });
  c3.addRoute({ dst: 'default', via: '10.1.0.1' });
  return { c1, host, router, c3, links };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** The exit status, or undefined if the process was still running at the limit (then killed). */
  exit: number | undefined;
  /** Simulated nanoseconds from start to exit. */
  elapsed: Nanos;
  /** stdout and stderr interleaved as printed (for transcripts). */
  output: string;
}

export interface RunOptions {
  /** Kill the process after this much simulated time (default 120 s). */
  limit?: Nanos;
  hostname?: string;
  seed?: string;
}

export interface Spawned {
  /** What the process printed so far, its exit status (once it exited) and run time. */
  readonly result: RunResult;
  readonly handle: ProcessHandle;
}

/** Starts `program` without running the scheduler (for two processes at once). */
export function spawn(sim: Sim, program: NetProgram, argv: string[], m: Machine, opts: RunOptions = {}): Spawned {
  const start = sim.scheduler.now;
  const result: RunResult = { stdout: '', stderr: '', output: '', exit: undefined, elapsed: 0 };
  const io: ProgramIo = {
    stdout: (t) => { if (result.exit === undefined) { result.stdout += t; result.output += t; } },
    stderr: (t) => { if (result.exit === undefined) { result.stderr += t; result.output += t; } },
  };
  const env: ProgramEnv<NetworkNamespace, undefined> = {
    scheduler: sim.scheduler,
    rng: sim.rng.fork(`process:${opts.seed ?? argv.join(' ')}`),
    ns: m.ns,
    machine: undefined,
    files: m.files,
    hostname: opts.hostname ?? m.ns.hostname,
    programs: undefined as never,
  };
  const handle = program(argv, env, io, (c) => {
    if (result.exit !== undefined) return;
    result.exit = c;
    result.elapsed = sim.scheduler.now - start;
  });
  return { result, handle };
}

/** Runs `program` with `argv` in machine `m` until it exits (or the limit), like the scenario runner. */
export function run(sim: Sim, program: NetProgram, argv: string[], m: Machine, opts: RunOptions = {}): RunResult {
  let stdout = '';
  let stderr = '';
  let output = '';
  let code: number | undefined;
  const io: ProgramIo = {
    stdout: (t) => { if (code === undefined) { stdout += t; output += t; } },
    stderr: (t) => { if (code === undefined) { stderr += t; output += t; } },
  };
  const env: ProgramEnv<NetworkNamespace, undefined> = {
    scheduler: sim.scheduler,
    rng: sim.rng.fork(`process:${opts.seed ?? argv.join(' ')}`),
    ns: m.ns,
    machine: undefined,
    files: m.files,
    hostname: opts.hostname ?? m.ns.hostname,
    programs: undefined as never,
  };
  const start = sim.scheduler.now;
  const handle: ProcessHandle = program(argv, env, io, (c) => { if (code === undefined) code = c; });
  const limit = start + (opts.limit ?? sec(120));
  let timedOut = false;
  const deadline = sim.scheduler.scheduleAt(limit, () => { timedOut = true; });
  while (code === undefined && !timedOut) {
    if (!sim.scheduler.step()) break;
  }
  sim.scheduler.cancel(deadline);
  if (code === undefined) handle.kill();
  return { stdout, stderr, exit: code, elapsed: sim.scheduler.now - start, output };
}

/** What the test DNS server answers. Names are matched without case and without a trailing dot. */
export interface DnsTable {
  a?: Record<string, string | string[]>;
  aaaa?: Record<string, string>;
  ptr?: Record<string, string>;
  cname?: Record<string, string>;
  /** Names answered with SERVFAIL. */
  servfail?: string[];
  /** Names answered with REFUSED. */
  refused?: string[];
  /** Set AA in answers (default false, like Docker's embedded server and most recursors). */
  authoritative?: boolean;
  ttl?: number;
}

export interface DnsServer {
  /** Every query received: "A c2", "AAAA c2", "PTR 3.0.0.10.in-addr.arpa", with its arrival time. */
  queries: { time: Nanos; text: string; src: Ipv4; srcPort: number; message: DnsMessage }[];
  close(): void;
}

/**
 * A DNS server for tests: a UDP socket on `port` of `ns` answering from `table`. A name the
 * table knows under another type gets an empty NOERROR answer (as Docker's embedded server
 * answers AAAA for a container without IPv6); an unknown name gets NXDOMAIN.
 */
export function dnsServer(ns: NetworkNamespace, table: DnsTable, opts: { port?: number; address?: Ipv4; silent?: boolean } = {}): DnsServer {
  const socket = ns.udp.bind(opts.port ?? 53, opts.address ?? 0);
  const queries: DnsServer['queries'] = [];
  const key = (n: string): string => n.toLowerCase().replace(/\.$/, '');
  const lookup = <T>(rec: Record<string, T> | undefined, n: string): T | undefined => {
    if (!rec) return undefined;
    for (const [k, v] of Object.entries(rec)) if (key(k) === key(n)) return v;
    return undefined;
  };
  const known = (n: string): boolean => [table.a, table.aaaa, table.ptr, table.cname].some((r) => lookup(r, n) !== undefined);
  socket.onMessage((payload, src, srcPort) => {
    const q = parseDns(payload);
    const question = q.questions[0]!;
    queries.push({ time: ns.scheduler.now, text: `${typeName(question.type)} ${question.name}`, src, srcPort, message: q });
    if (opts.silent) return;
    const ttl = table.ttl ?? 600;
    const answers: DnsRecord[] = [];
    let rcode: number = DnsRcode.NoError;
    const name = question.name;
    if (table.servfail?.some((n) => key(n) === key(name))) rcode = DnsRcode.ServFail;
    else if (table.refused?.some((n) => key(n) === key(name))) rcode = DnsRcode.Refused;
    else if (!known(name)) rcode = DnsRcode.NXDomain;
    else {
      let target = name;
      const alias = lookup(table.cname, name);
      if (alias !== undefined) {
        answers.push({ name, type: DnsType.CNAME, class: DnsClass.IN, ttl, data: { kind: 'CNAME', name: alias } });
        target = alias;
      }
      if (question.type === DnsType.A) {
        const v = lookup(table.a, target);
        for (const a of v === undefined ? [] : Array.isArray(v) ? v : [v]) {
          answers.push({ name: target, type: DnsType.A, class: DnsClass.IN, ttl, data: { kind: 'A', address: ip(a) } });
        }
      } else if (question.type === DnsType.AAAA) {
        const v = lookup(table.aaaa, target);
        if (v !== undefined) {
          const bytes = new Uint8Array(16);
          const groups = v.split(':');
          // Only the forms the tests use: full eight groups.
          groups.forEach((g, i) => { const n = parseInt(g || '0', 16); bytes[2 * i] = n >>> 8; bytes[2 * i + 1] = n & 0xff; });
          answers.push({ name: target, type: DnsType.AAAA, class: DnsClass.IN, ttl, data: { kind: 'AAAA', address: bytes } });
        }
      } else if (question.type === DnsType.PTR) {
        const v = lookup(table.ptr, name);
        if (v !== undefined) answers.push({ name, type: DnsType.PTR, class: DnsClass.IN, ttl, data: { kind: 'PTR', name: v } });
      }
    }
    const reply: DnsMessage = {
      id: q.id, qr: true, opcode: 0, aa: table.authoritative ?? false, tc: false, rd: q.rd, ra: true, rcode,
      questions: q.questions, answers, authorities: [], additionals: [],
    };
    socket.send(src, srcPort, emitDns(reply));
  });
  return { queries, close: () => socket.close() };
}

function typeName(t: number): string {
  for (const [k, v] of Object.entries(DnsType)) if (v === t) return k;
  return `TYPE${t}`;
}

/** The PTR name of a dotted address (for DnsTable.ptr keys). */
export function ptrName(dotted: string): string {
  return reverseNameOf(ip(dotted));
}
