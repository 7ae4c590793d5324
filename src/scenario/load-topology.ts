/**
 * Loading of the machines and wires of a scenario: `links:`, `lans:`, `routers:`, `hosts:` and
 * `images:` (SCENARIOS.md "File format"). Sections are read in that order, so a reference can
 * always be checked when it is read: interfaces name LANs (read first), host names must not clash
 * with router names (read before hosts).
 *
 * Checks beyond syntax, each a mistake that would otherwise surface as a silent misbehaviour of
 * the emulated network:
 * - an interface address is not the network or broadcast address of its subnet;
 * - no two interfaces on one LAN have the same address;
 * - a gateway or a route's next hop is inside a subnet of one of the machine's interfaces
 *   (Linux refuses such a route too: "Nexthop has invalid gateway").
 */
import { broadcastOf, formatCidr, formatIpv4, networkOf, prefixContains, tryParseIpv4, type Ipv4, type Ipv4Prefix } from '../wire';
import type { SourcePos } from './scenario-error';
import type { Host, IfaceSpec, ImageSpec, Lan, LinkParams, ListenSpec, RouteSpec, Router } from './scenario-types';
import { parseDuration, parsePercent, parseRate } from './units';
import { suggestion, type Entry, type Slot, type YamlReader } from './yaml-reader';

/** Keys of every link (top-level `links:` and each LAN). */
export const LINK_KEYS = ['delay', 'jitter', 'rate', 'loss', 'mtu'] as const;
/** Keys of an interface: the LAN it plugs into, its address, and its own port parameters. */
export const IFACE_KEYS = ['lan', 'address', 'mtu', 'delay', 'jitter', 'rate', 'loss'] as const;
export const ROUTER_KEYS = ['interfaces', 'routes'] as const;
/** Keys of a host: its own, plus the interface keys of the one-NIC shorthand. */
export const HOST_KEYS = ['docker', 'interfaces', 'gateway', 'resolvers', ...IFACE_KEYS] as const;
export const IMAGE_KEYS = ['listen'] as const;

/** Host, router, LAN and interface names: a letter or digit, then letters, digits, `_`, `.`, `-`. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Longest host, router and LAN name: a DNS label (RFC 1035 §2.3.4), as hostnames are. */
export const MAX_NAME_LENGTH = 63;
/** Longest interface name: IFNAMSIZ (16) minus the terminating NUL, as in Linux. */
export const MAX_IFNAME_LENGTH = 15;
/** IPv4's minimum MTU (RFC 791: every host must accept 68-octet datagrams) to the largest a veth takes. */
export const MTU_RANGE = { min: 68, max: 65_535 } as const;
/** Docker image references: lowercase path components, an optional tag. */
const IMAGE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;

type Kind = 'host' | 'router' | 'LAN' | 'interface';

export interface Topology {
  readonly links: LinkParams;
  readonly lans: Map<string, Lan>;
  readonly routers: Map<string, Router>;
  readonly hosts: Map<string, Host>;
  readonly images: Map<string, ImageSpec>;
}

/** An address already taken on a LAN, to report duplicates. */
interface Taken { readonly owner: string; readonly pos: SourcePos }

export class TopologyLoader {
  readonly #r: YamlReader;
  readonly #lans = new Map<string, Lan>();
  readonly #routers = new Map<string, Router>();
  readonly #hosts = new Map<string, Host>();
  readonly #images = new Map<string, ImageSpec>();
  /** LAN name → address → which interface has it. */
  readonly #addressesOnLan = new Map<string, Map<Ipv4, Taken>>();
  #links: LinkParams = {};

  constructor(reader: YamlReader) {
    this.#r = reader;
  }

  get topology(): Topology {
    return { links: this.#links, lans: this.#lans, routers: this.#routers, hosts: this.#hosts, images: this.#images };
  }

  // ---- names -------------------------------------------------------------------------------

  name(entry: Entry, kind: Kind, path: string): string {
    const name = entry.key;
    const max = kind === 'interface' ? MAX_IFNAME_LENGTH : MAX_NAME_LENGTH;
    const pos = this.#r.posOf(entry.keyNode);
    if (!NAME_PATTERN.test(name)) {
      this.#r.fail(pos, `${path}: found ${kind} name "${name}", expected a letter or digit followed by letters, digits, "_", "." or "-"`);
    }
    if (name.length > max) this.#r.fail(pos, `${path}: ${kind} name "${name}" has ${name.length} characters, expected at most ${max}`);
    return name;
  }

  // ---- values ------------------------------------------------------------------------------

  ipv4(slot: Slot, pos: SourcePos, path: string): Ipv4 {
    const text = this.#r.text(slot, pos, path, 'an IPv4 address such as 192.168.1.1');
    const ip = tryParseIpv4(text);
    if (ip === undefined || text.trim() !== text) {
      this.#r.fail(pos, `${path}: found "${text}", expected an IPv4 address (four numbers 0–255 separated by dots, e.g. 192.168.1.1)`);
    }
    return ip;
  }

  /** "a.b.c.d/len". With `bareIsHost`, a bare address means /32 (as `ip route` reads it). */
  prefix(text: string, pos: SourcePos, path: string, bareIsHost: boolean): Ipv4Prefix {
    const example = 'e.g. 192.168.1.10/24';
    const m = /^([^/\s]+)(?:\/(\d{1,2}))?$/.exec(text);
    if (!m) this.#r.fail(pos, `${path}: found "${text}", expected an IPv4 address with a prefix length, ${example}`);
    const [, ipText, lenText] = m;
    const ip = tryParseIpv4(ipText!);
    if (ip === undefined) this.#r.fail(pos, `${path}: found "${text}": "${ipText}" is not an IPv4 address (four numbers 0–255 separated by dots); expected ${example}`);
    if (lenText === undefined) {
      if (bareIsHost) return { addr: ip, len: 32 };
      this.#r.fail(pos, `${path}: found "${text}" without a prefix length, expected an address with one, ${example}`);
    }
    const len = Number(lenText);
    if (len > 32) this.#r.fail(pos, `${path}: found prefix length /${len} in "${text}", expected 0 to 32`);
    return { addr: ip, len };
  }

  mtu(slot: Slot, pos: SourcePos, path: string): number {
    return this.#r.integer(slot, pos, path, MTU_RANGE.min, MTU_RANGE.max, `an MTU in bytes from ${MTU_RANGE.min} to ${MTU_RANGE.max}`);
  }

  /** One link-parameter key into `out`; false when `key` is not one. */
  linkParam(e: Entry, path: string, out: { -readonly [K in keyof LinkParams]: LinkParams[K] }): boolean {
    const p = `${path}.${e.key}`;
    const r: YamlReader = this.#r;
    switch (e.key) {
      case 'delay':
        out.delay = r.parse(e.pos, p, () => parseDuration(r.text(e.value, e.pos, p, 'a duration such as 50us')));
        return true;
      case 'jitter':
        out.jitter = r.parse(e.pos, p, () => parseDuration(r.text(e.value, e.pos, p, 'a duration such as 5us')));
        return true;
      case 'rate':
        out.rate = r.parse(e.pos, p, () => parseRate(r.text(e.value, e.pos, p, 'a rate such as 1Gbit')));
        return true;
      case 'loss':
        out.loss = r.parse(e.pos, p, () => parsePercent(r.text(e.value, e.pos, p, 'a percentage such as 2.5%')));
        return true;
      case 'mtu':
        out.mtu = this.mtu(e.value, e.pos, p);
        return true;
      default:
        return false;
    }
  }

  linkParams(slot: Slot, pos: SourcePos, path: string): LinkParams {
    const map = this.#r.map(slot, pos, path, `a map of link parameters (${LINK_KEYS.join(', ')})`, true);
    const out: { -readonly [K in keyof LinkParams]: LinkParams[K] } = {};
    for (const e of this.#r.entries(map, path, LINK_KEYS)) this.linkParam(e, path, out);
    return out;
  }

  // ---- sections ----------------------------------------------------------------------------

  loadLinks(e: Entry): void {
    this.#links = this.linkParams(e.value, e.pos, 'links');
  }

  loadLans(e: Entry): void {
    const map = this.#r.map(e.value, e.pos, 'lans', 'a map from LAN names to link parameters', true);
    for (const le of this.#r.entries(map, 'lans')) {
      const name = this.name(le, 'LAN', 'lans');
      const path = `lans.${name}`;
      this.#lans.set(name, { name, params: this.linkParams(le.value, le.pos, path), pos: this.#r.posOf(le.keyNode) });
    }
  }

  loadRouters(e: Entry): void {
    const map = this.#r.map(e.value, e.pos, 'routers', 'a map from router names to routers', true);
    for (const re of this.#r.entries(map, 'routers')) {
      const name = this.name(re, 'router', 'routers');
      const path = `routers.${name}`;
      const body = this.#r.map(re.value, re.pos, path, `a map with keys ${ROUTER_KEYS.join(', ')}`, true);
      let interfaces = new Map<string, IfaceSpec>();
      let routeEntry: Entry | undefined;
      for (const k of this.#r.entries(body, path, ROUTER_KEYS)) {
        if (k.key === 'interfaces') interfaces = this.interfaces(k, `${path}.interfaces`, `router ${name}`);
        else routeEntry = k;
      }
      const routes = routeEntry ? this.routes(routeEntry, `${path}.routes`, interfaces) : [];
      this.#routers.set(name, { name, interfaces, routes, pos: this.#r.posOf(re.keyNode) });
    }
  }

  loadHosts(e: Entry): void {
    const map = this.#r.map(e.value, e.pos, 'hosts', 'a map from host names to hosts', true);
    for (const he of this.#r.entries(map, 'hosts')) {
      const name = this.name(he, 'host', 'hosts');
      const path = `hosts.${name}`;
      const clash = this.#routers.get(name);
      if (clash) {
        this.#r.fail(this.#r.posOf(he.keyNode), `${path}: the name "${name}" is already used by router ${name} (line ${clash.pos.line}); host and router names must differ`);
      }
      this.#hosts.set(name, this.host(he, name, path));
    }
  }

  loadImages(e: Entry): void {
    const map = this.#r.map(e.value, e.pos, 'images', 'a map from image names to image descriptions', true);
    for (const ie of this.#r.entries(map, 'images')) {
      const name = ie.key;
      const pos = this.#r.posOf(ie.keyNode);
      if (!IMAGE_NAME.test(name)) {
        this.#r.fail(pos, `images: found image name "${name}", expected a Docker image reference (lowercase letters, digits, ".", "_", "-", "/" between components, optional :tag), e.g. mywebapp or myorg/app:1.0`);
      }
      const path = `images.${name}`;
      const body = this.#r.map(ie.value, ie.pos, path, `a map with keys ${IMAGE_KEYS.join(', ')}`, true);
      const listen: ListenSpec[] = [];
      for (const k of this.#r.entries(body, path, IMAGE_KEYS)) {
        for (const item of this.#r.listOrOne(k.value, k.pos, `${path}.listen`, 'a list of "proto/port app", e.g. [ "tcp/8080 http" ]')) {
          listen.push(this.listen(item.node, item.pos, item.path));
        }
      }
      this.#images.set(name, { name, listen, pos });
    }
  }

  // ---- parts -------------------------------------------------------------------------------

  listen(node: Slot, pos: SourcePos, path: string): ListenSpec {
    const expected = '"proto/port app" such as "tcp/8080 http" (proto tcp or udp, port 1–65535)';
    const text = this.#r.string(node, pos, path, expected);
    const m = /^\s*(tcp|udp)\/(\d{1,5})\s+([A-Za-z][A-Za-z0-9_.-]*)\s*$/.exec(text);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65_535) this.#r.fail(pos, `${path}: found "${text}", expected ${expected}`);
    return { proto: m[1] as 'tcp' | 'udp', port, app: m[3]! };
  }

  interfaces(e: Entry, path: string, owner: string): Map<string, IfaceSpec> {
    const map = this.#r.map(e.value, e.pos, path, 'a map from interface names to interfaces', true);
    const out = new Map<string, IfaceSpec>();
    for (const ie of this.#r.entries(map, path)) {
      const name = this.name(ie, 'interface', path);
      const body = this.#r.map(ie.value, ie.pos, `${path}.${name}`, `a map with keys ${IFACE_KEYS.join(', ')}`);
      out.set(name, this.iface(name, this.#r.entries(body, `${path}.${name}`, IFACE_KEYS), `${path}.${name}`, this.#r.posOf(ie.keyNode), `${owner} ${name}`));
    }
    return out;
  }

  /** An interface from its entries (keys already checked against IFACE_KEYS). */
  iface(name: string, entries: readonly Entry[], path: string, pos: SourcePos, owner: string): IfaceSpec {
    let lan: string | undefined;
    let address: Ipv4Prefix | undefined;
    let mtu: number | undefined;
    let addressPos = pos;
    const params: { -readonly [K in keyof LinkParams]: LinkParams[K] } = {};
    for (const e of entries) {
      const p = `${path}.${e.key}`;
      if (e.key === 'lan') {
        lan = this.#r.text(e.value, e.pos, p, 'the name of a LAN');
        if (!this.#lans.has(lan)) {
          const known = [...this.#lans.keys()];
          const near = suggestion(lan, known);
          this.#r.fail(e.pos, `${p}: no LAN named "${lan}"${near ? ` (did you mean "${near}"?)` : ''}; ${known.length ? `LANs: ${known.join(', ')}` : 'the scenario declares no lans:'}`);
        }
      } else if (e.key === 'address') {
        addressPos = e.pos;
        address = this.prefix(this.#r.text(e.value, e.pos, p, 'an IPv4 address with a prefix length, e.g. 192.168.1.10/24'), e.pos, p, false);
      } else if (e.key === 'mtu') {
        mtu = this.mtu(e.value, e.pos, p);
      } else if (!this.linkParam(e, path, params)) {
        this.#r.fail(e.pos, `${path}: unexpected key "${e.key}"`);
      }
    }
    if (lan === undefined) this.#r.fail(pos, `${path}: missing key "lan": an interface needs the LAN it is plugged into`);
    if (address === undefined) this.#r.fail(pos, `${path}: missing key "address": an interface needs an address with a prefix length, e.g. 192.168.1.10/24`);
    this.#checkHostAddress(address, addressPos, `${path}.address`);
    this.#claimAddress(lan, address.addr, owner, addressPos, `${path}.address`);
    const spec = { name, lan, address, params, pos };
    return mtu === undefined ? spec : { ...spec, mtu };
  }

  /** RFC 919/922: the all-zeros and all-ones host parts name the subnet and its broadcast. */
  #checkHostAddress(p: Ipv4Prefix, pos: SourcePos, path: string): void {
    if (p.len > 30) return; // /31 (RFC 3021) and /32 have no network or broadcast address.
    if (p.addr === networkOf(p)) this.#r.fail(pos, `${path}: ${formatCidr(p)} is the network address of its subnet, expected a host address inside it`);
    if (p.addr === broadcastOf(p)) this.#r.fail(pos, `${path}: ${formatCidr(p)} is the broadcast address of its subnet, expected a host address inside it`);
  }

  #claimAddress(lan: string, ip: Ipv4, owner: string, pos: SourcePos, path: string): void {
    let taken = this.#addressesOnLan.get(lan);
    if (!taken) this.#addressesOnLan.set(lan, (taken = new Map()));
    const before = taken.get(ip);
    if (before) this.#r.fail(pos, `${path}: ${formatIpv4(ip)} is already the address of ${before.owner} on LAN ${lan} (line ${before.pos.line}); addresses on a LAN must differ`);
    taken.set(ip, { owner, pos });
  }

  /** Fails unless `ip` is inside a subnet of one of the interfaces (and is not one of their addresses). */
  #checkOnLink(ip: Ipv4, interfaces: ReadonlyMap<string, IfaceSpec>, pos: SourcePos, path: string, what: string): void {
    const subnets = [...interfaces.values()].map((i) => `${i.name} ${formatCidr({ addr: networkOf(i.address), len: i.address.len })}`);
    for (const i of interfaces.values()) {
      if (i.address.addr === ip) this.#r.fail(pos, `${path}: ${what} ${formatIpv4(ip)} is the address of ${i.name} itself, expected another machine on that subnet`);
    }
    if ([...interfaces.values()].some((i) => prefixContains(i.address, ip))) return;
    this.#r.fail(pos, subnets.length === 0
      ? `${path}: ${what} ${formatIpv4(ip)} is not on a connected subnet: there are no interfaces`
      : `${path}: ${what} ${formatIpv4(ip)} is not on a connected subnet, expected an address inside ${subnets.join(' or ')}`);
  }

  routes(e: Entry, path: string, interfaces: ReadonlyMap<string, IfaceSpec>): RouteSpec[] {
    const expected = 'a route "PREFIX via ADDRESS" such as "10.50.0.0/16 via 192.168.2.254" or "default via 192.168.1.1"';
    const out: RouteSpec[] = [];
    for (const item of this.#r.listOrOne(e.value, e.pos, path, `a list of routes, each ${expected}`)) {
      const text = this.#r.string(item.node, item.pos, item.path, expected);
      const m = /^\s*(\S+)\s+via\s+(\S+)\s*$/.exec(text);
      if (!m) this.#r.fail(item.pos, `${item.path}: found "${text}", expected ${expected}`);
      const dst = m[1] === 'default' ? { addr: 0, len: 0 } : this.prefix(m[1]!, item.pos, item.path, true);
      if (networkOf(dst) !== dst.addr) {
        // As `ip route add` says: "Error: Invalid prefix for given prefix length."
        this.#r.fail(item.pos, `${item.path}: ${formatCidr(dst)} has host bits set, expected the network address ${formatCidr({ addr: networkOf(dst), len: dst.len })}`);
      }
      const via = tryParseIpv4(m[2]!);
      if (via === undefined) this.#r.fail(item.pos, `${item.path}: found next hop "${m[2]}", expected an IPv4 address`);
      this.#checkOnLink(via, interfaces, item.pos, item.path, 'next hop');
      out.push({ dst, via, pos: item.pos });
    }
    return out;
  }

  host(he: Entry, name: string, path: string): Host {
    const r: YamlReader = this.#r;
    const body = r.map(he.value, he.pos, path, `a map with keys ${HOST_KEYS.join(', ')}`, true);
    const entries = r.entries(body, path, HOST_KEYS);
    const pos = r.posOf(he.keyNode);
    const shorthand = entries.filter((k) => (IFACE_KEYS as readonly string[]).includes(k.key));
    const interfacesEntry = entries.find((k) => k.key === 'interfaces');
    let interfaces = new Map<string, IfaceSpec>();
    if (interfacesEntry) {
      const mixed = shorthand[0];
      if (mixed) {
        r.fail(r.posOf(mixed.keyNode), `${path}: "${mixed.key}" cannot be combined with "interfaces": put it under an interface in interfaces, or drop interfaces and use the one-NIC shorthand { lan, address }`);
      }
      interfaces = this.interfaces(interfacesEntry, `${path}.interfaces`, `host ${name}`);
    } else if (shorthand.length > 0) {
      // The one-NIC shorthand: { lan, address, … } is interface eth0.
      interfaces.set('eth0', this.iface('eth0', shorthand, path, pos, `host ${name} eth0`));
    }
    let docker = true;
    let gateway: Ipv4 | undefined;
    let resolvers: Ipv4[] | undefined;
    for (const k of entries) {
      const p = `${path}.${k.key}`;
      if (k.key === 'docker') docker = r.boolean(k.value, k.pos, p);
      else if (k.key === 'gateway') {
        gateway = this.ipv4(k.value, k.pos, p);
        this.#checkOnLink(gateway, interfaces, k.pos, p, 'gateway');
      } else if (k.key === 'resolvers') {
        resolvers = r.listOrOne(k.value, k.pos, p, 'a list of IPv4 addresses').map((item) => this.ipv4(item.node, item.pos, item.path));
      }
    }
    const host: Host = { name, docker, interfaces, pos };
    return {
      ...host,
      ...(gateway === undefined ? {} : { gateway }),
      ...(resolvers === undefined ? {} : { resolvers }),
    };
  }
}
