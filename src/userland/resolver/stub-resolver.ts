/**
 * The stub resolver of an alpine container: musl libc's getaddrinfo and getnameinfo, driven by
 * the namespace's /etc/hosts and /etc/resolv.conf, sending real DNS queries through the
 * namespace's UDP stack and waiting in simulated time.
 *
 * getaddrinfo (musl's __lookup_name):
 * 1. a numeric address (inet_aton forms, or an IPv6 literal) is its own answer;
 * 2. /etc/hosts (hosts-file.ts);
 * 3. DNS with the search list: a name with fewer than `ndots` dots (and no trailing dot) is
 *    tried with each search domain appended first, then as it is. A search try that fails
 *    with NXDOMAIN moves on; any other failure (timeout, SERVFAIL) ends the lookup. Each try
 *    sends an A query (and, for an unspecified family, an AAAA query) to every nameserver in
 *    parallel (res-msend.ts). Any NXDOMAIN among the answers means "no such name"; a missing
 *    answer or SERVFAIL means "try again"; another RCODE means "failure"; answers without an
 *    address of the asked type mean "no data". A CNAME in an answer becomes the canonical name.
 *
 * getnameinfo with NI_NAMEREQD (what busybox's traceroute and nc ask): /etc/hosts first, then
 * one PTR query for the in-addr.arpa name; the last valid host name among the PTR records
 * wins, whatever the RCODE.
 *
 * Heads up: every lookup is asynchronous (it takes simulated time), returns a Cancellable so
 * that a killed process stops its queries, and draws its query IDs from the RNG it was given
 * (musl takes them from the clock's nanoseconds).
 */
import { DnsType, parseDns, reverseNameOf, type DnsMessage, type Ipv4 } from '../../wire';
import type { NetworkNamespace } from '../../stack';
import type { Rng, Scheduler } from '../../sim';
import type { VirtualFiles } from '../program';
import { inetAton, inetPton6 } from './address-literals';
import { isValidHostname, lookupHostsByAddress, lookupHostsByName, MAX_ADDRESSES } from './hosts-file';
import { buildMuslQuery, messageRcode } from './musl-query';
import { parseResolvConf, type ResolvConf } from './resolv-conf';
import { resMsend, type Cancellable } from './res-msend';

/** getaddrinfo's address family: AF_INET (A only), AF_INET6 (AAAA only) or AF_UNSPEC (both). */
export type LookupFamily = 'inet' | 'inet6' | 'unspec';

/** Why a name did not resolve (musl's EAI_* codes). */
export type LookupFailure =
  /** EAI_NONAME: no such name (NXDOMAIN everywhere, or an invalid name). */
  | 'noname'
  /** EAI_AGAIN: no answer in time, or SERVFAIL. */
  | 'again'
  /** EAI_FAIL: an answer with another error RCODE. */
  | 'fail'
  /** EAI_NODATA: the name exists but has no address of the family asked. */
  | 'nodata';

export type LookupResult =
  | { readonly ok: true; readonly ipv4: readonly Ipv4[]; readonly ipv6: readonly Uint8Array[]; readonly canonicalName: string }
  | { readonly ok: false; readonly error: LookupFailure };

/** What the resolver needs of its process: the namespace, its files, time and randomness. */
export interface ResolverEnv {
  readonly ns: NetworkNamespace;
  readonly files: VirtualFiles;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
}

export const RESOLVER_FILES = {
  hosts: '/etc/hosts',
  resolvConf: '/etc/resolv.conf',
};

const DONE: Cancellable = { cancel: () => {} };

type Count = number | LookupFailure;

export class StubResolver {
  readonly #env: ResolverEnv;
  readonly #ids: Rng;

  constructor(env: ResolverEnv) {
    this.#env = env;
    this.#ids = env.rng.fork('dns-id');
  }

  /** The current /etc/resolv.conf, as musl reads it on every lookup. */
  resolvConf(): ResolvConf {
    return parseResolvConf(this.#env.files.read(RESOLVER_FILES.resolvConf));
  }

  /** A random 16-bit DNS message ID. */
  nextId(): number {
    return this.#ids.int(0x1_0000);
  }

  /** getaddrinfo(name, NULL, {ai_family}) → the addresses, or why not. */
  getaddrinfo(name: string, family: LookupFamily, done: (r: LookupResult) => void): Cancellable {
    if (name.length === 0 || name.length > 254) return this.#now(done, { ok: false, error: 'noname' });
    const v4 = family === 'inet6' ? undefined : inetAton(name);
    if (v4 !== undefined) return this.#now(done, { ok: true, ipv4: [v4], ipv6: [], canonicalName: name });
    const v6 = family === 'inet' ? undefined : inetPton6(name);
    if (v6 !== undefined) return this.#now(done, { ok: true, ipv4: [], ipv6: [v6], canonicalName: name });
    const hosts = lookupHostsByName(this.#env.files.read(RESOLVER_FILES.hosts), name, family);
    if (hosts.ipv4.length + hosts.ipv6.length > 0) {
      return this.#now(done, { ok: true, ipv4: hosts.ipv4, ipv6: hosts.ipv6, canonicalName: hosts.canonicalName ?? name });
    }
    if (hosts.wrongFamilyOnly) return this.#now(done, { ok: false, error: 'nodata' });
    return this.#dnsSearch(name, family, done);
  }

  /** getnameinfo(…, NI_NAMEREQD): the host name of `ip`, or undefined. */
  getnameinfo(ip: Ipv4, done: (name: string | undefined) => void): Cancellable {
    const fromHosts = lookupHostsByAddress(this.#env.files.read(RESOLVER_FILES.hosts), ip);
    if (fromHosts) return this.#now(done, fromHosts);
    const query = buildMuslQuery(reverseNameOf(ip), DnsType.PTR, this.nextId(), false);
    if (query === undefined) return this.#now(done, undefined);
    return resMsend(this.#env.ns, this.#env.scheduler, [query], this.resolvConf(), ([answer]) => {
      let name: string | undefined;
      const message = answer === undefined ? undefined : tryParse(answer);
      for (const rr of message?.answers ?? []) {
        if (rr.data.kind === 'PTR' && isValidHostname(rr.data.name)) name = rr.data.name;
      }
      done(name);
    });
  }

  /** Runs `fn` in a zero-delay event: a lookup answered at once still never completes inside its caller. */
  defer(fn: () => void): Cancellable {
    const id = this.#env.scheduler.schedule(0, fn);
    return { cancel: () => { this.#env.scheduler.cancel(id); } };
  }

  #now<T>(done: (r: T) => void, r: T): Cancellable {
    return this.defer(() => done(r));
  }

  /** name_from_dns_search. */
  #dnsSearch(name: string, family: LookupFamily, done: (r: LookupResult) => void): Cancellable {
    const conf = this.resolvConf();
    const dots = [...name].filter((c) => c === '.').length;
    const absolute = name.endsWith('.');
    const search = dots >= conf.ndots || absolute ? [] : conf.search;
    const base = absolute ? name.slice(0, -1) : name;
    if (base.length === 0 || base.endsWith('.')) return this.#now(done, { ok: false, error: 'noname' });
    const tries = [...search.filter((d) => d.length < 256 - base.length - 1).map((d) => `${base}.${d}`), base];
    let current: Cancellable = DONE;
    const next = (k: number): void => {
      const fqdn = tries[k]!;
      current = this.#fromDns(fqdn, family, conf, (count, r) => {
        // A search domain's try that found nothing (0) moves on; anything else ends the search.
        if (count === 0 && k < tries.length - 1) {
          next(k + 1);
          return;
        }
        if (typeof count === 'number') {
          done(count > 0 ? r! : { ok: false, error: 'noname' });
        } else {
          done({ ok: false, error: count });
        }
      });
    };
    next(0);
    return { cancel: () => current.cancel() };
  }

  /** name_from_dns: one A (and AAAA) query pair; the canonical name starts as the name asked. */
  #fromDns(fqdn: string, family: LookupFamily, conf: ResolvConf, done: (count: Count, r?: LookupResult) => void): Cancellable {
    const types = family === 'unspec' ? [DnsType.A, DnsType.AAAA] : family === 'inet' ? [DnsType.A] : [DnsType.AAAA];
    const queries: Uint8Array[] = [];
    for (const type of types) {
      const q = buildMuslQuery(fqdn, type, this.nextId(), false);
      if (q === undefined) return this.#now((c: Count) => done(c), 0);
      // "Ensure query IDs are distinct": musl bumps the second one's high byte.
      if (queries.length > 0 && q[0] === queries[0]![0]) q[0] = (q[0]! + 1) & 0xff;
      queries.push(q);
    }
    return resMsend(this.#env.ns, this.#env.scheduler, queries, conf, (answers) => {
      for (const a of answers) {
        if (a === undefined || a.length < 4 || messageRcode(a) === 2) return done('again');
        if (messageRcode(a) === 3) return done(0);
        if (messageRcode(a) !== 0) return done('fail');
      }
      const ipv4: Ipv4[] = [];
      const ipv6: Uint8Array[] = [];
      let canonicalName = fqdn;
      // musl parses the answers last query first: AAAA records before A records.
      for (let i = answers.length - 1; i >= 0; i--) {
        const message = tryParse(answers[i]!);
        for (const rr of message?.answers ?? []) {
          if (rr.data.kind === 'CNAME') {
            if (isValidHostname(rr.data.name)) canonicalName = rr.data.name;
            continue;
          }
          if (ipv4.length + ipv6.length >= MAX_ADDRESSES || rr.type !== types[i]) continue;
          if (rr.data.kind === 'A') ipv4.push(rr.data.address);
          else if (rr.data.kind === 'AAAA') ipv6.push(rr.data.address);
        }
      }
      const count = ipv4.length + ipv6.length;
      if (count === 0) return done('nodata');
      return done(count, { ok: true, ipv4, ipv6, canonicalName });
    });
  }
}

function tryParse(b: Uint8Array): DnsMessage | undefined {
  try {
    return parseDns(b);
  } catch {
    return undefined;
  }
}
