/**
 * The world of a scenario: its LANs, routers and hosts built as devices and namespaces, sharing
 * one scheduler, one random root and one trace bus (SCENARIOS.md "File format").
 *
 * - A LAN is a switch: an 802.1D learning bridge (devices/bridge.ts) with one port per attached
 *   interface. Each port is a Link between the switch and the NIC, with the LAN port's
 *   parameters (resolveLinkParams: built-in lan-port defaults < `links:` < the LAN's own <
 *   the interface's own). The switch has no IP interface of its own, so frames it would pass
 *   up to one end there (nothing is attached to its own side).
 * - A router is a Machine (the stack's host kernel) whose root namespace forwards
 *   (net.ipv4.ip_forward = 1), with its interfaces, addresses and static routes.
 * - A host is a Machine with its interfaces, addresses, default route (`gateway`) and
 *   /etc/resolv.conf (`resolvers`), /etc/hosts and /etc/hostname. The veth pairs it makes
 *   later (`ip link add … type veth`, Docker) get the scenario's veth parameters
 *   (resolveLinkParams('veth', links:)).
 * Each NIC is the Machine's LAN port device (attachLanPort), so `ip link`, `ip addr` and the
 *   rest see it like any other interface.
 *
 * Heads up (Docker hosts): until the Docker Engine emulation registers its `docker` program, a
 * host with `docker: true` is built exactly like a plain Linux host; the runner then refuses any
 * `docker …` step with a message saying so, rather than pretending (see runner.ts).
 *
 * Randomness: every stream is a named fork of `Rng.fromSeed(seed)`: "world" for the devices and
 * namespaces (which fork it further by their own names: `link:<name>`, `ns:<name>`), "mac" for
 * the MAC addresses of switches and NICs (forked per device name), "process" for the processes
 * the runner starts. Adding a host therefore changes no other host's numbers.
 */
import { Bridge, Link, type DeviceDeps, type LinkParams as DeviceLinkParams } from '../devices';
import { Machine, type NetworkNamespace } from '../stack';
import { MemoryFiles, ProgramRegistry } from '../userland';
import { Rng, Scheduler, TraceBus } from '../sim';
import { formatIpv4, type Mac } from '../wire';
import { resolveLinkParams, type ResolvedLinkParams } from './scenario-defaults';
import type { IfaceSpec, Scenario } from './scenario-types';

/** A machine a step can run on: a host or a router. */
export interface WorldMachine {
  readonly name: string;
  readonly kind: 'host' | 'router';
  /** Whether the scenario says this host runs a Docker Engine (routers never do). */
  readonly docker: boolean;
  /** The host kernel: namespaces and network devices. */
  readonly machine: Machine;
  /** The machine's root network namespace (its own interfaces). */
  readonly ns: NetworkNamespace;
  /** /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  readonly files: MemoryFiles;
  /** The commands this machine's terminal knows. */
  readonly programs: ProgramRegistry<NetworkNamespace, Machine>;
}

/**
 * One link of the world: a LAN port the world built (`lan` set), or a link a machine made while
 * the run went on (a veth pair, a bridge's own side, a VXLAN device's).
 */
export interface WorldLink {
  readonly link: Link;
  /** End names, "<machine>:<ifname>"; a LAN port's are [switch end, NIC end]: "lan1:node1.eth0", "node1:eth0". */
  readonly ends: readonly [string, string];
  /** The LAN of a LAN port. */
  readonly lan?: string;
}

/** Told about every link as it is made (the captures declare it). */
export type WorldLinkListener = (link: WorldLink) => void;

/**
 * Puts programs into a machine's registry. The world calls every installer for every machine,
 * in order, once the whole world is built; a later installer may override an earlier one's
 * command. `world` gives the scenario (its `start`, its engine profile) and the shared
 * scheduler, random root and trace bus.
 */
export type ProgramInstaller = (registry: ProgramRegistry<NetworkNamespace, Machine>, machine: WorldMachine, world: World) => void;

export interface WorldOptions {
  /** Overrides the scenario's seed (`cnmlab run --seed N`). */
  readonly seed?: number;
  /** The programs of every machine (tests install their own). */
  readonly programs?: readonly ProgramInstaller[];
}

export class World {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly scheduler = new Scheduler();
  readonly trace = new TraceBus();
  readonly rng: Rng;
  readonly deps: DeviceDeps;
  /** LAN switches by LAN name, in file order. */
  readonly lans = new Map<string, Bridge>();
  /** Hosts then routers, in file order. */
  readonly machines = new Map<string, WorldMachine>();
  /**
   * Every link, in the order it was made: first the LAN ports (hosts', then routers',
   * interfaces in file order), then those the machines make as the run goes on.
   */
  readonly links: WorldLink[] = [];
  readonly #macRng: Rng;
  readonly #linkListeners: WorldLinkListener[] = [];

  constructor(scenario: Scenario, opts: WorldOptions = {}) {
    this.scenario = scenario;
    this.seed = opts.seed ?? scenario.seed;
    this.rng = Rng.fromSeed(this.seed);
    this.#macRng = this.rng.fork('mac');
    this.deps = { scheduler: this.scheduler, rng: this.rng.fork('world'), trace: this.trace };

    for (const lan of scenario.lans.values()) {
      this.lans.set(lan.name, new Bridge(this.deps, { name: lan.name, mac: this.#mac(`lan:${lan.name}`) }));
    }
    const installers = opts.programs ?? [];
    const vethParams = toDeviceParams(resolveLinkParams('veth', scenario.links));
    const build = (name: string, kind: 'host' | 'router', docker: boolean, forwarding: boolean): WorldMachine => {
      const machine = new Machine(this.deps, name, { forwarding, hostname: name, vethParams });
      const programs = new ProgramRegistry<NetworkNamespace, Machine>();
      const m: WorldMachine = { name, kind, docker, machine, ns: machine.root, files: new MemoryFiles(), programs };
      this.machines.set(name, m);
      machine.onLinkCreated((link, ends) => this.#addLink({ link, ends }));
      return m;
    };

    for (const host of scenario.hosts.values()) {
      const m = build(host.name, 'host', host.docker, false);
      for (const iface of host.interfaces.values()) this.#plug(m, iface);
      if (host.gateway !== undefined) m.ns.addRoute({ dst: 'default', via: host.gateway });
      writeHostFiles(m, host.resolvers ?? []);
    }
    for (const router of scenario.routers.values()) {
      const m = build(router.name, 'router', false, true);
      for (const iface of router.interfaces.values()) this.#plug(m, iface);
      for (const r of router.routes) m.ns.addRoute({ dst: r.dst, via: r.via });
      writeHostFiles(m, []);
    }
    for (const m of this.machines.values()) for (const install of installers) install(m.programs, m, this);
  }

  /** Calls `listener` for every link made from now on; returns a function that stops it. */
  onLinkCreated(listener: WorldLinkListener): () => void {
    this.#linkListeners.push(listener);
    return () => {
      const i = this.#linkListeners.indexOf(listener);
      if (i >= 0) this.#linkListeners.splice(i, 1);
    };
  }

  #addLink(l: WorldLink): void {
    this.links.push(l);
    for (const listener of [...this.#linkListeners]) listener(l);
  }

  /** The machine called `name` (a host or router of the scenario). */
  machine(name: string): WorldMachine {
    const m = this.machines.get(name);
    if (m === undefined) throw new Error(`no machine named ${name}`);
    return m;
  }

  /** Plugs a NIC into its LAN: a link from a new switch port to the NIC, then the address. */
  #plug(m: WorldMachine, iface: IfaceSpec): void {
    const lan = this.scenario.lans.get(iface.lan)!;
    const params = resolveLinkParams('lan-port', this.scenario.links, lan.params, iface.params);
    const portName = `${m.name}.${iface.name}`;
    const ends: [string, string] = [`${lan.name}:${portName}`, `${m.name}:${iface.name}`];
    const link = new Link(this.deps, ends, toDeviceParams(params));
    this.lans.get(lan.name)!.addPort(link.a, { name: portName });
    const dev = m.machine.attachLanPort(iface.name, link.b, this.#mac(`nic:${m.name}:${iface.name}`), { mtu: iface.mtu ?? params.mtu });
    m.machine.addAddress(dev, iface.address);
    this.#addLink({ link, ends, lan: lan.name });
  }

  /**
   * A locally administered unicast MAC (IEEE 802: first octet with the U/L bit set and the I/G
   * bit clear), drawn from the device's own stream so that it depends only on the seed and the
   * device's name.
   */
  #mac(stream: string): Mac {
    const b = this.#macRng.fork(stream).bytes(6);
    let mac = ((b[0]! & 0xfc) | 0x02) * 2 ** 40;
    for (let i = 1; i < 6; i++) mac += b[i]! * 2 ** (8 * (5 - i));
    return mac;
  }
}

function toDeviceParams(p: ResolvedLinkParams): Partial<DeviceLinkParams> {
  return { delay: p.delay, jitter: p.jitter, rate: p.rate ?? 0, loss: p.loss, mtu: p.mtu };
}

/** The files a Linux machine has about its own name and resolvers. */
function writeHostFiles(m: WorldMachine, resolvers: readonly number[]): void {
  m.files.write('/etc/hostname', `${m.name}\n`);
  // Debian's /etc/hosts layout: loopback names first, then this machine's own addresses.
  let hosts = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';
  for (const { iface, address } of m.ns.addresses()) {
    if (iface.kind === 'loopback') continue;
    hosts += `${formatIpv4(address.address)}\t${m.name}\n`;
  }
  m.files.write('/etc/hosts', hosts);
  // Without resolvers the file is absent, as on a machine nobody configured DNS for.
  if (resolvers.length > 0) m.files.write('/etc/resolv.conf', resolvers.map((r) => `nameserver ${formatIpv4(r)}\n`).join(''));
}
