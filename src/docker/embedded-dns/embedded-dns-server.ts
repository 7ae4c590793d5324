/**
 * Docker's embedded DNS server (libnetwork resolver.go, resolver_unix.go, as vendored by Docker
 * 19.03; docker-facts §4), running in a container's namespace:
 *
 * - It listens on UDP 127.0.0.11 on a port the kernel picks, and (in Docker) on TCP on another.
 *   Inside the container's nat table, DNAT sends `127.0.0.11:53` to those ports and the reverse
 *   NAT makes the answers come from port 53 (chains DOCKER_OUTPUT and DOCKER_POSTROUTING, set up
 *   as reexecSetupResolver does). So a query is a real datagram over the container's loopback,
 *   rewritten by the container's own netfilter, and shows up in captures like on a real host.
 *   TCP is not emulated: the TCP rules name a port drawn like the kernel's ephemeral choice, and
 *   nothing listens there.
 * - A and AAAA for a name the engine knows (container name, aliases, short ID, network-qualified
 *   forms: `EmbeddedDnsNames.lookup`) are answered locally: every address (shuffled,
 *   Fisher–Yates, when there are several) with TTL 600, RA set, the question copied, names
 *   uncompressed (miekg/dns packs uncompressed unless asked). AAAA and MX for a known name get
 *   an empty NOERROR. PTR for `d.c.b.a.in-addr.arpa` of a known address answers
 *   `name.network.`; a PTR outside in-addr.arpa/ip6.arpa gets no answer at all (the resolver
 *   logs "invalid PTR query" and returns).
 * - Anything else goes to the external servers, at most 3, in order: each exchange on a new
 *   socket (from the container's namespace, or the host's for a host-loopback server) with a
 *   4 s timeout; a SERVFAIL tries the next server; the last response is relayed (compressed).
 *   When no server answers, Docker 19.03 sends nothing back (the client times out);
 *   Docker ≥ 23 answers SERVFAIL (moby 9cf8c4f6, "reply SERVFAIL if none of the external name
 *   servers"): option `noAnswer`.
 * - Truncation: an answer bigger than 512 bytes (or the query's EDNS0 size) loses answers from
 *   the end until it fits, and gets TC.
 *
 * Heads up: an ICMP port unreachable fails a forward at once (a connected UDP socket's read
 * returns ECONNREFUSED); other ICMP errors do not (Linux does not report them to a connected
 * socket without IP_RECVERR), so those exchanges wait out the 4 s.
 */
import { sec, type EventId, type Nanos, type Rng } from '../../sim';
import { netfilterOf, type NetworkNamespace, type UdpSocket } from '../../stack';
import { runIptables } from '../../userland';
import {
  DnsClass, DnsOpcode, DnsRcode, DnsType, emitDns, parseDns, parseIpv4, readU16, tryParseIpv4,
  type DnsMessage, type DnsRecord, type Ipv4,
} from '../../wire';

/** Docker 19.03's resolver constants. */
export const EMBEDDED_DNS_DEFAULTS = {
  /** resolverIPSandbox. */
  address: '127.0.0.11',
  /** respTTL. */
  ttl: 600,
  /** maxExtDNS: external servers tried per query. */
  maxExternalServers: 3,
  /** extIOTimeout: per exchange. */
  exchangeTimeout: sec(4),
  /** maxConcurrent: forwarded queries in flight (19.03: 100). */
  maxConcurrent: 100,
  /** defaultRespSize: the UDP answer limit without EDNS0. */
  defaultResponseSize: 512,
  /** net.ipv4.ip_local_port_range, for the TCP listener's port. */
  ephemeralLow: 32768,
  ephemeralHigh: 60999,
} as const;

/** What the engine knows about names (libnetwork's sandbox ResolveName / ResolveIP). */
export interface EmbeddedDnsNames {
  /** The addresses of a name (trailing dot stripped or not, any case); undefined or empty: unknown. */
  lookup(name: string): readonly Ipv4[] | undefined;
  /** "c2.demo-bridge" for a known address, else undefined. */
  reverse(ip: Ipv4): string | undefined;
}

/** An external server (the engine's ExternalResolver). */
export interface EmbeddedDnsUpstream {
  readonly ip: string;
  /** A loopback server of the host (127.0.0.53): contacted from the host's namespace. */
  readonly hostLoopback: boolean;
}

export interface EmbeddedDnsOptions {
  /** The server's stream: answer shuffling and the TCP port. */
  readonly rng: Rng;
  /** External servers, in resolv.conf order (only the first 3 are used). */
  readonly upstreams?: readonly EmbeddedDnsUpstream[];
  /** Where host-loopback servers are contacted from (without it they are skipped). */
  readonly hostNamespace?: NetworkNamespace;
  /** The container set `ndots` > 0 itself (`--dns-opt ndots:N`): single-label A/AAAA are not forwarded. */
  readonly ndotsSet?: boolean;
  /** When no external server answers: 'none' (19.03: no reply) or 'servfail' (Docker ≥ 23). */
  readonly noAnswer?: 'none' | 'servfail';
}

export interface EmbeddedDnsStats {
  queries: number;
  /** Answered from the engine's names. */
  local: number;
  /** Exchanges with external servers. */
  forwarded: number;
  /** Queries that got no answer at all. */
  unanswered: number;
}

const PTR_IPV4 = '.in-addr.arpa.';
const PTR_IPV6 = '.ip6.arpa.';

/** `d.c.b.a` (canonical decimal octets, as netutils.ReverseIP writes them) → a.b.c.d, else undefined. */
function reversedIpv4(text: string): Ipv4 | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return undefined;
  return (((Number(parts[3]) << 24) | (Number(parts[2]) << 16) | (Number(parts[1]) << 8) | Number(parts[0])) >>> 0);
}

/** miekg/dns SetReply: id, RD, the first question; QR set, opcode QUERY, NOERROR. */
function replyTo(query: DnsMessage, fields: Partial<DnsMessage> = {}): DnsMessage {
  return {
    id: query.id, qr: true, opcode: DnsOpcode.Query, aa: false, tc: false, rd: query.rd, ra: false, rcode: DnsRcode.NoError,
    questions: query.questions.slice(0, 1), answers: [], authorities: [], additionals: [], ...fields,
  };
}

export class EmbeddedDnsServer {
  /** The UDP port the server listens on (the DNAT target). */
  readonly udpPort: number;
  /** The TCP port the rules name (see the file comment). */
  readonly tcpPort: number;
  readonly stats: EmbeddedDnsStats = { queries: 0, local: 0, forwarded: 0, unanswered: 0 };
  readonly #ns: NetworkNamespace;
  readonly #names: EmbeddedDnsNames;
  readonly #opts: EmbeddedDnsOptions;
  readonly #socket: UdpSocket;
  readonly #address: Ipv4;
  /** Forwards in flight (their sockets and timers, closed by stop()). */
  readonly #inFlight = new Set<{ socket: UdpSocket; timer: EventId }>();
  #stopped = false;

  constructor(ns: NetworkNamespace, names: EmbeddedDnsNames, opts: EmbeddedDnsOptions) {
    this.#ns = ns;
    this.#names = names;
    this.#opts = opts;
    this.#address = parseIpv4(EMBEDDED_DNS_DEFAULTS.address);
    // SetupFunc(0): net.ListenUDP("udp", 127.0.0.11:0), then net.ListenTCP on its own port.
    this.#socket = ns.udp.bind(0, this.#address);
    this.udpPort = this.#socket.localPort;
    const span = EMBEDDED_DNS_DEFAULTS.ephemeralHigh - EMBEDDED_DNS_DEFAULTS.ephemeralLow + 1;
    this.tcpPort = EMBEDDED_DNS_DEFAULTS.ephemeralLow + opts.rng.int(span);
    this.#setupIptables();
    this.#socket.onMessage((payload, srcIp, srcPort) => this.#serve(payload, srcIp, srcPort));
  }

  /** Stops listening; pending forwards are abandoned (the iptables rules stay, as Docker leaves them). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#socket.close();
    for (const f of this.#inFlight) {
      this.#ns.scheduler.cancel(f.timer);
      f.socket.close();
    }
    this.#inFlight.clear();
  }

  /** reexecSetupResolver: the DOCKER_OUTPUT / DOCKER_POSTROUTING chains and their four rules. */
  #setupIptables(): void {
    const nf = netfilterOf(this.#ns);
    const ipt = (...args: string[]): number => runIptables(nf, ['iptables', ...args]).code;
    const ip = EMBEDDED_DNS_DEFAULTS.address;
    for (const [hook, chain] of [['OUTPUT', 'DOCKER_OUTPUT'], ['POSTROUTING', 'DOCKER_POSTROUTING']] as const) {
      if (ipt('-t', 'nat', '-C', hook, '-d', ip, '-j', chain) === 0) {
        ipt('-t', 'nat', '-F', chain);
      } else {
        ipt('-t', 'nat', '-N', chain);
        ipt('-t', 'nat', '-I', hook, '-d', ip, '-j', chain);
      }
    }
    const udp = String(this.udpPort);
    const tcp = String(this.tcpPort);
    ipt('-t', 'nat', '-I', 'DOCKER_OUTPUT', '-d', ip, '-p', 'udp', '--dport', '53', '-j', 'DNAT', '--to-destination', `${ip}:${udp}`);
    ipt('-t', 'nat', '-I', 'DOCKER_POSTROUTING', '-s', ip, '-p', 'udp', '--sport', udp, '-j', 'SNAT', '--to-source', ':53');
    ipt('-t', 'nat', '-I', 'DOCKER_OUTPUT', '-d', ip, '-p', 'tcp', '--dport', '53', '-j', 'DNAT', '--to-destination', `${ip}:${tcp}`);
    ipt('-t', 'nat', '-I', 'DOCKER_POSTROUTING', '-s', ip, '-p', 'tcp', '--sport', tcp, '-j', 'SNAT', '--to-source', ':53');
  }

  #send(msg: DnsMessage, dst: Ipv4, port: number, compress: boolean): void {
    if (this.#stopped) return;
    try {
      this.#socket.send(dst, port, emitDns(msg, { compress }));
    } catch {
      // The client's address became unroutable: nothing to answer.
    }
  }

  /** ServeDNS for one datagram. */
  #serve(payload: Uint8Array, srcIp: Ipv4, srcPort: number): void {
    // miekg/dns: shorter than a header → ignored; unparseable → FORMERR; a response → ignored.
    if (payload.length < 12) return;
    let query: DnsMessage;
    try {
      query = parseDns(payload);
    } catch {
      this.#send({
        id: readU16(payload, 0), qr: true, opcode: DnsOpcode.Query, aa: false, tc: false, rd: false, ra: false,
        rcode: DnsRcode.FormErr, questions: [], answers: [], authorities: [], additionals: [],
      }, srcIp, srcPort, false);
      return;
    }
    if (query.qr) return;
    const q = query.questions[0];
    if (q === undefined) return;
    this.stats.queries++;
    let resp: DnsMessage | undefined;
    switch (q.type) {
      case DnsType.A:
        resp = this.#ipQuery(query, q.name, true);
        break;
      case DnsType.AAAA:
        resp = this.#ipQuery(query, q.name, false);
        break;
      case DnsType.MX:
        // "Implicit MX" (RFC 5321 §5.1): a known name has no MX, and says so.
        resp = this.#known(q.name) ? replyTo(query, { ra: true }) : undefined;
        break;
      case DnsType.PTR: {
        const fq = `${q.name}.`;
        if (fq.endsWith(PTR_IPV4)) {
          const ip = reversedIpv4(fq.slice(0, fq.indexOf(PTR_IPV4)));
          const host = ip === undefined ? undefined : this.#names.reverse(ip);
          if (host !== undefined && host !== '') {
            resp = replyTo(query, {
              ra: true,
              answers: [{ name: q.name, type: DnsType.PTR, class: DnsClass.IN, ttl: EMBEDDED_DNS_DEFAULTS.ttl, data: { kind: 'PTR', name: host.replace(/\.$/, '') } }],
            });
          }
        } else if (!fq.endsWith(PTR_IPV6)) {
          // handlePTRQuery: "invalid PTR query" is logged and nothing is sent.
          this.stats.unanswered++;
          return;
        }
        break;
      }
      default:
        break;
    }
    if (resp === undefined && this.#opts.ndotsSet && (q.type === DnsType.A || q.type === DnsType.AAAA) && !q.name.replace(/\.$/, '').includes('.')) {
      resp = replyTo(query, { ra: true });
    }
    if (resp !== undefined) {
      this.stats.local++;
      this.#send(truncate(resp, maxResponseSize(query)), srcIp, srcPort, false);
      return;
    }
    this.#forward(query, (answer) => {
      if (answer !== undefined) {
        this.#send(answer, srcIp, srcPort, true);
      } else if (this.#opts.noAnswer === 'servfail') {
        this.#send(replyTo(query, { rcode: DnsRcode.ServFail }), srcIp, srcPort, true);
      } else {
        this.stats.unanswered++;
      }
    });
  }

  #known(name: string): boolean {
    const ips = this.#names.lookup(name);
    return ips !== undefined && ips.length > 0;
  }

  /** handleIPQuery: A records (shuffled), or an empty NOERROR for AAAA of a known name. */
  #ipQuery(query: DnsMessage, name: string, v4: boolean): DnsMessage | undefined {
    const ips = this.#names.lookup(name);
    if (ips === undefined || ips.length === 0) return undefined;
    if (!v4) return replyTo(query, { ra: true });
    const order = [...ips];
    // shuffleAddr: Fisher–Yates from the end.
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.#opts.rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const answers: DnsRecord[] = order.map((address) => ({
      name, type: DnsType.A, class: DnsClass.IN, ttl: EMBEDDED_DNS_DEFAULTS.ttl, data: { kind: 'A', address },
    }));
    return replyTo(query, { ra: true, answers });
  }

  /**
   * The external servers, one exchange at a time (see the file comment). `done` gets the
   * response to relay, or undefined when none came.
   */
  #forward(query: DnsMessage, done: (answer: DnsMessage | undefined) => void): void {
    const upstreams = (this.#opts.upstreams ?? []).slice(0, EMBEDDED_DNS_DEFAULTS.maxExternalServers);
    const bytes = emitDns(query);
    let resp: DnsMessage | undefined;
    let i = 0;
    const next = (): void => {
      while (!this.#stopped && i < upstreams.length) {
        const up = upstreams[i++]!;
        const ns = up.hostLoopback ? this.#opts.hostNamespace : this.#ns;
        const server = tryParseIpv4(up.ip);
        if (ns === undefined || server === undefined) continue;
        let socket: UdpSocket;
        try {
          socket = ns.udp.bind(0);
        } catch {
          continue;
        }
        try {
          socket.connect(server, 53);
        } catch {
          socket.close(); // "connect failed"
          continue;
        }
        if (this.#inFlight.size >= EMBEDDED_DNS_DEFAULTS.maxConcurrent) {
          socket.close();
          continue;
        }
        try {
          socket.write(bytes);
        } catch {
          socket.close(); // "send to DNS server failed"
          continue;
        }
        this.stats.forwarded++;
        const exchange = { socket, timer: 0 as EventId };
        const finish = (): void => {
          this.#inFlight.delete(exchange);
          this.#ns.scheduler.cancel(exchange.timer);
          socket.close();
        };
        exchange.timer = this.#ns.scheduler.schedule(EMBEDDED_DNS_DEFAULTS.exchangeTimeout as Nanos, () => {
          finish();
          resp = undefined;
          next();
        });
        this.#inFlight.add(exchange);
        socket.onError((e) => {
          // Only a "fatal" unreachable reaches a connected socket (icmp_err_convert).
          if (e.type !== 3 || (e.code !== 2 && e.code !== 3)) return;
          finish();
          resp = undefined;
          next();
        });
        socket.onMessage((payload) => {
          finish();
          try {
            resp = parseDns(payload);
          } catch {
            resp = undefined;
            next();
            return;
          }
          // libnetwork#2121: on SERVFAIL try the next server (the response is kept as the last one).
          if (resp.rcode === DnsRcode.ServFail) {
            next();
            return;
          }
          done(resp);
        });
        return;
      }
      done(resp);
    };
    next();
  }
}

/** The UDP size a response may have: the query's EDNS0 size, at least 512 (resolver.go). */
function maxResponseSize(query: DnsMessage): number {
  let size = 0;
  for (let i = query.additionals.length - 1; i >= 0; i--) {
    const r = query.additionals[i]!;
    if (r.type === DnsType.OPT) {
      size = r.class;
      break;
    }
  }
  return Math.max(size, EMBEDDED_DNS_DEFAULTS.defaultResponseSize);
}

/** truncateResp: TC set, answers dropped from the end until the (uncompressed) message fits. */
function truncate(resp: DnsMessage, maxSize: number): DnsMessage {
  if (emitDns(resp, { compress: false }).length <= maxSize) return resp;
  let answers = [...resp.answers];
  let m: DnsMessage = { ...resp, tc: true, answers };
  while (answers.length > 0 && emitDns(m, { compress: false }).length > maxSize) {
    answers = answers.slice(0, -1);
    m = { ...m, answers };
  }
  return m;
}

/**
 * Starts the embedded DNS server in `ns` (a container's namespace): binds 127.0.0.11, installs
 * the nat rules, answers from `names`, forwards to `opts.upstreams`. The engine calls it when a
 * container first joins a user-defined network, and `stop()` when the container stops:
 *
 *   const dns = startEmbeddedDns(containerNs, new SandboxDnsNames(sandbox), {
 *     rng: engineRng.fork(`dns:${containerId}`), upstreams: sandboxDns.external, hostNamespace: hostNs,
 *   });
 *   …
 *   dns.stop();
 */
export function startEmbeddedDns(ns: NetworkNamespace, names: EmbeddedDnsNames, opts: EmbeddedDnsOptions): EmbeddedDnsServer {
  return new EmbeddedDnsServer(ns, names, opts);
}

/** What a machine offers the engine to start servers with (see `embeddedDnsStarter`). */
export interface EmbeddedDnsHost {
  /** The engine's stream; each server gets the fork `dns:<namespace name>`. */
  readonly rng: Rng;
  /** The host's namespace (for host-loopback servers such as 127.0.0.53). */
  readonly hostNamespace: NetworkNamespace;
  /** The engine profile's behaviour when no external server answers (19.03: 'none'). */
  readonly noAnswer?: 'none' | 'servfail';
}

/**
 * The engine's "start the embedded DNS server in this container" function over a machine
 * (ContainerHost.startEmbeddedDns): `(ns, names, external) => stop`.
 */
export function embeddedDnsStarter(host: EmbeddedDnsHost): (ns: NetworkNamespace, names: EmbeddedDnsNames, external: readonly EmbeddedDnsUpstream[]) => () => void {
  return (ns, names, external) => {
    const server = startEmbeddedDns(ns, names, {
      rng: host.rng.fork(`dns:${ns.name}`),
      upstreams: external,
      hostNamespace: host.hostNamespace,
      ...(host.noAnswer === undefined ? {} : { noAnswer: host.noAnswer }),
    });
    return () => server.stop();
  };
}
