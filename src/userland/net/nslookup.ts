/**
 * busybox nslookup with FEATURE_NSLOOKUP_BIG (the LEDE/OpenWrt code alpine ships): its own
 * queries over a connected UDP socket to each server in turn, not the libc resolver.
 *
 *   $ nslookup c2
 *   Server:		127.0.0.11
 *   Address:	127.0.0.11:53
 *
 *   Non-authoritative answer:
 *   Name:	c2
 *   Address: 10.0.0.3
 *
 *   Non-authoritative answer:
 *
 * A name is looked up as A and AAAA (busybox is built with IPv6), each answer printed as it
 * arrives, followed by an empty line; an empty AAAA answer leaves the bare "Non-authoritative
 * answer:" block above. An address is looked up as PTR ("3.0.0.10.in-addr.arpa\tname = c2.net").
 * An error RCODE prints "** server can't find NAME: NXDOMAIN" and makes the exit status 1.
 * "Server:"/"Address:" are printed when the first datagram comes back from a server.
 *
 * Servers: the second operand, else every `nameserver` of /etc/resolv.conf in turn (else
 * 127.0.0.1). For each: every query is sent, then resent every timeout/retry seconds (5 s / 2)
 * until all are answered or the timeout is spent; a SERVFAIL is resent at once (up to
 * 2 × queries times per round). When no server answered: ";; connection timed out; no servers
 * could be reached" and status 1. Search domains ("search"/"domain" in resolv.conf, else the
 * hostname's domain) are appended to names without a dot, in place of the bare name.
 *
 * Options: -type=T (-querytype=T; soa ns a aaaa cname mx txt srv ptr any), -port=N, -retry=N,
 * -timeout=N (-t=N), -debug.
 *
 * Heads up: queries are built by musl's res_mkquery, so they carry RD and AD; the ID is drawn
 * from the process's RNG instead of the clock.
 */
import { DnsType, formatIpv4, parseDns, reverseNameOf, type DnsMessage, type Ipv4 } from '../../wire';
import { ms } from '../../sim';
import { UsageError } from '../usage-error';
import { buildMuslQuery, formatIpv6, inetPton4, inetPton6, messageId } from '../resolver';
import { INT_MAX, xatouRange } from './command-line';
import { ConnectedUdp } from './connected-udp';
import { rdataLengthAt, readWireName, recordRdataOffsets } from './dns-text';
import { formatSockAddr, resolveHost, type SockAddr } from './host-address';
import { startProcess, type NetProgram } from './net-program';
import type { Stoppable } from './process-scope';
import { strerror, type Errno } from './socket-errors';

/** busybox nslookup's defaults (INIT_G). */
export const NSLOOKUP_DEFAULTS = {
  port: 53,
  /** -retry: sends per server within the timeout. */
  retry: 2,
  /** -timeout: seconds per server. */
  timeoutSeconds: 5,
  /** Used when resolv.conf names no server. */
  fallbackServer: '127.0.0.1',
};

/** The query types nslookup knows, in the order it sends them. */
const QUERY_TYPES: readonly { readonly type: number; readonly name: string }[] = [
  { type: DnsType.SOA, name: 'SOA' },
  { type: DnsType.NS, name: 'NS' },
  { type: DnsType.A, name: 'A' },
  { type: DnsType.AAAA, name: 'AAAA' },
  { type: DnsType.CNAME, name: 'CNAME' },
  { type: DnsType.MX, name: 'MX' },
  { type: DnsType.TXT, name: 'TXT' },
  { type: DnsType.SRV, name: 'SRV' },
  { type: DnsType.PTR, name: 'PTR' },
  { type: DnsType.ANY, name: 'ANY' },
];

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET',
  'NXRRSET', 'NOTAUTH', 'NOTZONE', '11', '12', '13', '14', '15'];

const USAGE = 'Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]';
const LONG_OPTIONS = ['type', 'querytype', 'port', 'retry', 'debug', 't', 'timeout'];

interface Query {
  readonly name: string;
  readonly bytes: Uint8Array | undefined;
  answered: boolean;
}

interface Server {
  readonly name: string;
  addr?: SockAddr;
}

/** "%s" of a name the way ns_name_uncompress writes it: no trailing dot, the root as ".". */
function nameText(name: string): string {
  return name === '' ? '.' : name;
}

/** parse_reply: the answer section in nslookup's words; undefined for a reply it cannot parse. */
function formatReply(reply: Uint8Array, debug: boolean): string | undefined {
  const aa = (reply[2]! & 0x04) !== 0;
  let out = !aa ? 'Non-authoritative answer:\n' : debug ? 'authoritative answer:\n' : '';
  let message: DnsMessage;
  try {
    message = parseDns(reply);
  } catch {
    return undefined;
  }
  // busybox keeps the first of the NS/CNAME/PTR formats for every later one of the three.
  let format: string | undefined;
  const offsets = recordRdataOffsets(reply);
  for (const [i, rr] of message.answers.entries()) {
    const at = offsets[i]!;
    const rdlength = rdataLengthAt(reply, at);
    const owner = nameText(rr.name);
    const d = rr.data;
    switch (rr.type) {
      case DnsType.A:
        if (d.kind !== 'A') return undefined;
        out += `Name:\t${owner}\nAddress: ${formatIpv4(d.address)}\n`;
        break;
      case DnsType.AAAA:
        if (d.kind !== 'AAAA') return undefined;
        out += `Name:\t${owner}\nAddress: ${formatIpv6(d.address)}\n`;
        break;
      case DnsType.NS:
      case DnsType.CNAME:
      case DnsType.PTR: {
        format ??= rr.type === DnsType.NS ? 'nameserver' : rr.type === DnsType.CNAME ? 'canonical name' : 'name';
        if (d.kind !== 'NS' && d.kind !== 'CNAME' && d.kind !== 'PTR') return undefined;
        out += `${owner}\t${format} = ${nameText(d.name)}\n`;
        break;
      }
      case DnsType.MX: {
        const text = mxText(reply, at, rdlength);
        if (text === undefined) return undefined;
        out += `${owner}\tmail exchanger = ${text}\n`;
        break;
      }
      case DnsType.TXT:
        if (d.kind === 'TXT') {
          const first = d.strings[0];
          if (first === undefined) return undefined;
          if (first.length > 0) out += `${owner}\ttext = "${first.split('\0')[0]}"\n`;
        } else if (d.kind === 'raw') {
          if (d.rdata.length < 1) return undefined;
          const n = d.rdata[0]!;
          if (n > 0) out += `${owner}\ttext = "${latin1(d.rdata.subarray(1, 1 + n)).split('\0')[0]}"\n`;
        }
        break;
      case DnsType.SRV:
        if (d.kind !== 'SRV') return undefined;
        out += `${owner}\tservice = ${d.priority} ${d.weight} ${d.port} ${nameText(d.target)}\n`;
        break;
      case DnsType.SOA: {
        const text = soaText(reply, at, rdlength);
        if (text === undefined) return undefined;
        out += `${owner}\n${text}`;
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/** MX: preference and exchange (ns_name_uncompress against the message). */
function mxText(message: Uint8Array, at: number, rdlength: number): string | undefined {
  if (rdlength < 2) return undefined;
  const exchange = readWireName(message, at + 2);
  if (exchange === undefined) return undefined;
  return `${(message[at]! << 8) | message[at + 1]!} ${nameText(exchange.name)}`;
}

/** SOA's seven fields, its two names uncompressed against the message. */
function soaText(message: Uint8Array, at: number, rdlength: number): string | undefined {
  if (rdlength < 20) return undefined;
  const mname = readWireName(message, at);
  if (mname === undefined) return undefined;
  const rname = readWireName(message, mname.end);
  if (rname === undefined) return undefined;
  const p = rname.end;
  if (p + 20 > message.length) return undefined;
  const u32 = (o: number): number => ((message[o]! << 24) | (message[o + 1]! << 16) | (message[o + 2]! << 8) | message[o + 3]!) >>> 0;
  return `\torigin = ${nameText(mname.name)}\n\tmail addr = ${nameText(rname.name)}\n\tserial = ${u32(p)}\n`
    + `\trefresh = ${u32(p + 4)}\n\tretry = ${u32(p + 8)}\n\texpire = ${u32(p + 12)}\n\tminimum = ${u32(p + 16)}\n`;
}

export const nslookup: NetProgram = (argv, env, io, exit) => {
  let port = NSLOOKUP_DEFAULTS.port;
  let retry = NSLOOKUP_DEFAULTS.retry;
  let timeoutSeconds = NSLOOKUP_DEFAULTS.timeoutSeconds;
  let debug = false;
  let types = 0;
  let k = 1;
  for (; k < argv.length && argv[k]!.startsWith('-'); k++) {
    const a = argv[k]!.slice(1);
    const eq = a.indexOf('=');
    const key = eq < 0 ? a : a.slice(0, eq);
    const val = eq < 0 ? '' : a.slice(eq + 1);
    const i = LONG_OPTIONS.indexOf(key);
    if (i < 0) throw new UsageError(USAGE);
    if (i <= 1) {
      const t = QUERY_TYPES.findIndex((q) => q.name.toLowerCase() === val.toLowerCase());
      if (t < 0) throw new UsageError(`invalid query type "${val}"`);
      types |= 1 << t;
    } else if (i === 2) {
      port = xatouRange(val, 1, 0xffff);
    } else if (i === 3) {
      retry = xatouRange(val, 1, INT_MAX);
    } else if (i === 4) {
      debug = true;
    } else {
      timeoutSeconds = xatouRange(val, 1, Math.floor(INT_MAX / 1000));
    }
  }
  const operands = argv.slice(k);
  if (operands.length < 1 || operands.length > 2) throw new UsageError(USAGE);
  const host = operands[0]!;

  const { scope, resolver } = startProcess(env, io, exit);
  const handle = { kill: () => scope.kill() };
  const fail = (message: string): void => {
    scope.err(`nslookup: ${message}\n`);
    scope.exit(1);
  };

  // Servers, and the search list (resolv.conf's, else the domain part of the hostname).
  const servers: Server[] = [];
  let search: string[] = [];
  if (operands[1] !== undefined) {
    servers.push({ name: operands[1] });
  } else {
    const text = env.files.read('/etc/resolv.conf');
    let haveSearch = false;
    let searchLine: string | undefined;
    for (const line of (text ?? '').split('\n')) {
      // strtok_r(line, " \t\n") then strtok_r(NULL, "\n"): the rest after one delimiter.
      const m = /^[ \t]*([^ \t]+)[ \t](.*)$/.exec(line);
      if (!m || m[2] === '') continue;
      const [, keyword, arg] = m as unknown as [string, string, string];
      if (keyword === 'domain') {
        if (!haveSearch) searchLine = arg;
      } else if (keyword === 'search') {
        haveSearch = true;
        searchLine = arg;
      } else if (keyword === 'nameserver') {
        servers.push({ name: arg });
      }
    }
    if (searchLine === undefined) {
      const dot = env.hostname.indexOf('.');
      if (dot >= 0) searchLine = env.hostname.slice(dot + 1);
    }
    if (searchLine !== undefined && searchLine !== '.') search = searchLine.split(/[ \t]+/).filter((s) => s !== '');
    if (servers.length === 0) servers.push({ name: NSLOOKUP_DEFAULTS.fallbackServer });
  }

  // The queries, in busybox's order.
  const ids = new Set<number>();
  const newId = (): number => {
    let id = resolver.nextId();
    while (ids.has(id)) id = resolver.nextId();
    ids.add(id);
    return id;
  };
  const queries: Query[] = [];
  const addQuery = (type: number, name: string): void => {
    queries.push({ name, bytes: buildMuslQuery(name, type, newId(), true), answered: false });
  };
  const addQueryWithSearch = (type: number, name: string): void => {
    if (type === DnsType.PTR || search.length === 0 || name.includes('.')) {
      addQuery(type, name);
      return;
    }
    for (const domain of search) addQuery(type, `${name}.${domain}`);
  };
  if (types === 0) {
    const ptr = ptrNameOf(host);
    if (ptr !== undefined) {
      addQuery(DnsType.PTR, ptr);
    } else {
      addQueryWithSearch(DnsType.A, host);
      addQueryWithSearch(DnsType.AAAA, host);
    }
  } else {
    QUERY_TYPES.forEach((q, i) => { if (types & (1 << i)) addQueryWithSearch(q.type, host); });
  }

  let exitCode = 0;

  /** send_queries against one server; `done` gets the number of replies (−1: a write failed). */
  const sendQueries = (server: Server, done: (replies: number) => void): void => {
    const addr = server.addr!;
    if (addr.family === 6) {
      fail(`can't connect to remote host: ${strerror('ENETUNREACH')}`);
      return;
    }
    const opened = ConnectedUdp.open(env.ns, addr.ip, addr.port);
    if (!(opened instanceof ConnectedUdp)) {
      fail(opened.call === 'bind' ? `bind: ${strerror(opened.errno)}` : `can't connect to remote host (${formatIpv4(addr.ip)}): ${strerror(opened.errno)}`);
      return;
    }
    const sock = scope.hold(opened);
    const mtime = (): number => Math.floor(env.scheduler.now / 1_000_000);
    const timeout = timeoutSeconds * 1000;
    const retryInterval = Math.floor(timeout / retry);
    const tstart = mtime();
    let tsent = tstart;
    let servfailRetry = 0;
    let replies = 0;
    let serverReplies = 0;
    let wake: Stoppable | undefined;

    const end = (n: number): void => {
      wake?.cancel();
      sock.listen(undefined);
      scope.release(sock);
      done(n);
    };
    const sendAll = (): boolean => {
      for (const q of queries) {
        if (q.answered) continue;
        const errno: Errno | undefined = q.bytes === undefined ? 'EINVAL' : sock.write(q.bytes);
        if (errno !== undefined) {
          scope.err(`nslookup: write to '${server.name}': ${strerror(errno)}\n`);
          end(-1);
          return false;
        }
      }
      tsent = mtime();
      servfailRetry = 2 * queries.length;
      return true;
    };
    /** The top of the while loop: time left? time to resend? then poll. */
    const loop = (): void => {
      wake?.cancel();
      const tcur = mtime();
      if (tcur - tstart >= timeout) {
        end(replies);
        return;
      }
      if (tcur - tsent >= retryInterval && !sendAll()) return;
      wake = scope.after(ms(retryInterval - (mtime() - tsent)), loop);
    };
    const onReply = (reply: Uint8Array): void => {
      if (serverReplies++ === 0) scope.out(`Server:\t\t${server.name}\nAddress:\t${formatSockAddr(addr)}\n\n`);
      if (reply.length < 4) return loop();
      const q = queries.find((x) => x.bytes !== undefined && messageId(x.bytes) === messageId(reply));
      if (q === undefined || q.answered) return loop();
      const rcode = reply[3]! & 0x0f;
      if (rcode === 2 && servfailRetry > 0) {
        servfailRetry--;
        sock.write(q.bytes!);
        return loop();
      }
      q.answered = true;
      let text = debug ? `Query #${queries.indexOf(q)} completed in ${mtime() - tstart}ms:\n` : '';
      if (rcode !== 0) {
        text += `** server can't find ${q.name}: ${RCODES[rcode]}\n`;
        exitCode = 1;
      } else {
        const body = formatReply(reply, debug);
        if (body === undefined) {
          text += `*** Can't find ${q.name}: Parse error\n`;
          exitCode = 1;
        } else {
          text += body;
        }
      }
      scope.out(`${text}\n`);
      replies++;
      if (replies >= queries.length) {
        end(replies);
        return;
      }
      loop();
    };
    sock.listen({
      onDatagram: onReply,
      onError: (errno) => {
        scope.err(`nslookup: read: ${strerror(errno)}\n`);
        loop();
      },
    });
    if (sendAll()) loop();
  };

  const queryServers = (i: number): void => {
    sendQueries(servers[i]!, (replies) => {
      if (replies > 0) {
        finish();
        return;
      }
      if (i + 1 < servers.length) {
        queryServers(i + 1);
        return;
      }
      scope.out(';; connection timed out; no servers could be reached\n\n');
      scope.exit(1);
    });
  };

  const finish = (): void => {
    let text = '';
    for (const q of queries) if (!q.answered) text += `*** Can't find ${q.name}: No answer\n`;
    if (text !== '') text += '\n';
    scope.out(text);
    scope.exit(exitCode);
  };

  // add_ns resolves each server (xhost2sockaddr) before any query goes out.
  const resolveServers = (i: number): void => {
    if (i >= servers.length) {
      queryServers(0);
      return;
    }
    const s = servers[i]!;
    scope.track(resolveHost(resolver, s.name, port, 'unspec', (r) => {
      if (!r.ok) {
        fail(r.message);
        return;
      }
      s.addr = r.addr;
      resolveServers(i + 1);
    }));
  };
  resolveServers(0);
  return handle;
};

/** make_ptr: the reverse name of an IPv6 or IPv4 address literal, else undefined. */
function ptrNameOf(text: string): string | undefined {
  const v6 = inetPton6(text);
  if (v6 !== undefined) {
    const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
    if (mapped) return `${v6[15]}.${v6[14]}.${v6[13]}.${v6[12]}.in-addr.arpa`;
    let s = '';
    for (let i = 15; i >= 0; i--) s += `${(v6[i]! & 0xf).toString(16)}.${(v6[i]! >>> 4).toString(16)}.`;
    return `${s}ip6.arpa`;
  }
  const v4: Ipv4 | undefined = inetPton4(text);
  return v4 === undefined ? undefined : reverseNameOf(v4);
}
