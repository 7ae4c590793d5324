/**
 * dig from BIND 9.18 (alpine's bind-tools), checked line by line against dig 9.18.49 talking
 * to a table-driven server:
 *
 *
 *   ; <<>> DiG 9.18.33 <<>> c2
 *   ;; global options: +cmd
 *   ;; Got answer:
 *   ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 63306
 *   ;; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0
 *
 *   ;; QUESTION SECTION:
 *   ;c2.				IN	A
 *
 *   ;; ANSWER SECTION:
 *   c2.			600	IN	A	10.0.0.3
 *
 *   ;; Query time: 0 msec
 *   ;; SERVER: 127.0.0.11#53(127.0.0.11) (UDP)
 *   ;; WHEN: Sun Apr 26 19:37:50 UTC 2020
 *   ;; MSG SIZE  rcvd: 36
 *
 * The query: a random ID, RD and AD set, the name made absolute (no search list: +nosearch is
 * dig's default), EDNS0 with a 1232-byte UDP size and an 8-byte client COOKIE; over a new
 * connected UDP socket per try, without DF. The server: `@SERVER` (a name is resolved with the
 * libc resolver, "; (N server found)" when it came before the name), else each nameserver of
 * /etc/resolv.conf in turn. Each gets `+tries` tries (3) of `+time` seconds (5):
 * ";; communications error to S#53: timed out" after each silent one, "…: connection refused"
 * at once after an ICMP port unreachable. No answer from any: ";; no servers could be
 * reached", exit status 9. Any answer, NXDOMAIN and SERVFAIL included, is printed, status 0.
 *
 * Options: @server, -x ADDR, -t TYPE, -c CLASS, -p PORT, -q NAME, -u, -4, -6, -r; TYPE and
 * CLASS words; +[no]short +[no]all +[no]answer +[no]question +[no]authority +[no]additional
 * +[no]comments +[no]cmd +[no]stats +[no]qr +[no]ttlid +[no]class +[no]recurse +[no]edns
 * +[no]cookie +[no]adflag +[no]cdflag +[no]aaflag +tries=N +retry=N +time=N (unique prefixes
 * accepted, as BIND does). Several names make several lookups.
 *
 * Heads up:
 * - The version printed is DIG_DEFAULTS.version (a 9.18 release alpine has shipped); the
 *   WHEN line needs the scenario's wall clock, given to makeDig (default: the Unix epoch).
 * - +search and TCP (+tcp, and the retry over TCP after a truncated answer) are not emulated:
 *   +search and +tcp are refused, a truncated answer is printed as received.
 * - Options given after a name apply to every lookup (BIND scopes them per lookup).
 * - Of EDNS options only COOKIE is printed in the OPT pseudosection.
 */
import {
  DnsClass, DnsRcode, DnsType, dnsRcodeName, emitDns, parseDns, reverseNameOf, type DnsMessage, type DnsRecord,
} from '../../wire';
import { ms } from '../../sim';
import { UsageError } from '../usage-error';
import { formatIpv6, inetAton, inetPton6, parseResolvConf } from '../resolver';
import { ConnectedUdp } from './connected-udp';
import { masterQuestionText, masterRecordText, rdataText, recordRdataOffsets, type RecordTextOptions } from './dns-text';
import { formatHost, type SockAddr } from './host-address';
import { startProcess, type NetProgram } from './net-program';
import type { Stoppable } from './process-scope';
import { formatCTimeUtc, unixSecondsAt } from './wall-clock-text';
import type { Errno } from './socket-errors';

/** What dig does unless told otherwise (BIND 9.18 defaults). */
export const DIG_DEFAULTS = {
  /** The version in the banner. */
  version: '9.18.33',
  /** +tries. */
  tries: 3,
  /** +time, seconds. */
  timeoutSeconds: 5,
  /** EDNS UDP payload size (+bufsize). */
  udpSize: 1232,
  port: 53,
};

export interface DigOptions {
  /** The Unix time, in nanoseconds, at simulated time 0 (the scenario's `start`). */
  readonly start?: bigint;
}

interface Display {
  short: boolean;
  comments: boolean;
  cmd: boolean;
  question: boolean;
  answer: boolean;
  authority: boolean;
  additional: boolean;
  stats: boolean;
  qr: boolean;
  ttl: boolean;
  class: boolean;
}

interface QueryFlags {
  recurse: boolean;
  edns: boolean;
  cookie: boolean;
  ad: boolean;
  cd: boolean;
  aa: boolean;
}

interface Lookup {
  name: string;
  type: number | undefined;
  klass: number | undefined;
}

const OPCODES = ['QUERY', 'IQUERY', 'STATUS', 'RESERVED3', 'NOTIFY', 'UPDATE', 'RESERVED6', 'RESERVED7',
  'RESERVED8', 'RESERVED9', 'RESERVED10', 'RESERVED11', 'RESERVED12', 'RESERVED13', 'RESERVED14', 'RESERVED15'];

/** BIND's rcode names (dns_rcode_totext): the codec's, and the rest of RFC 6895's table. */
function rcodeText(rcode: number): string {
  const more = ['YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
  if (rcode <= DnsRcode.Refused) return dnsRcodeName(rcode);
  if (rcode <= 10) return more[rcode - 6]!;
  return `RESERVED${rcode}`;
}

const TYPE_WORDS = new Map<string, number>(Object.entries(DnsType).map(([k, v]) => [k, v]));
const CLASS_WORDS = new Map<string, number>([['IN', DnsClass.IN], ['CH', DnsClass.CH], ['HS', DnsClass.HS]]);

function typeOf(word: string): number | undefined {
  const w = word.toUpperCase();
  const known = TYPE_WORDS.get(w);
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/.exec(w);
  return m && Number(m[1]) <= 0xffff ? Number(m[1]) : undefined;
}

function classOf(word: string): number | undefined {
  const w = word.toUpperCase();
  const known = CLASS_WORDS.get(w);
  if (known !== undefined) return known;
  const m = /^CLASS(\d{1,5})$/.exec(w);
  return m && Number(m[1]) <= 0xffff ? Number(m[1]) : undefined;
}

/** The +keywords dig accepts here; a unique prefix selects one. */
const PLUS_KEYWORDS = [
  'short', 'all', 'answer', 'question', 'authority', 'additional', 'comments', 'cmd', 'stats', 'qr',
  'ttlid', 'class', 'recurse', 'edns', 'cookie', 'adflag', 'cdflag', 'aaflag', 'tries', 'retry', 'time',
  'search', 'tcp', 'vc',
] as const;
type PlusKeyword = (typeof PLUS_KEYWORDS)[number];

function plusKeyword(word: string, original: string): PlusKeyword {
  const exact = PLUS_KEYWORDS.find((k) => k === word);
  if (exact !== undefined) return exact;
  const matches = PLUS_KEYWORDS.filter((k) => k.startsWith(word));
  if (word.length === 0 || matches.length !== 1) throw new UsageError(`Invalid option: ${original}`);
  return matches[0]!;
}

/** -x ADDR: the PTR name of an IPv4 or IPv6 address. */
function reverseOf(text: string): string {
  const v4 = inetAton(text);
  if (v4 !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(text)) return reverseNameOf(v4);
  const v6 = inetPton6(text);
  if (v6 !== undefined) {
    let s = '';
    for (let i = 15; i >= 0; i--) s += `${(v6[i]! & 0xf).toString(16)}.${(v6[i]! >>> 4).toString(16)}.`;
    return `${s}ip6.arpa`;
  }
  throw new UsageError(`Invalid IP address ${text}`);
}

const hex = (b: Uint8Array): string => Array.from(b, (c) => c.toString(16).padStart(2, '0')).join('');

export function makeDig(options: DigOptions = {}): NetProgram {
  const startUnixNs = options.start ?? 0n;
  return (argv, env, io, exit) => {
    const display: Display = {
      short: false, comments: true, cmd: true, question: true, answer: true, authority: true, additional: true,
      stats: true, qr: false, ttl: true, class: true,
    };
    const flags: QueryFlags = { recurse: true, edns: true, cookie: true, ad: true, cd: false, aa: false };
    let tries = DIG_DEFAULTS.tries;
    let timeoutSeconds = DIG_DEFAULTS.timeoutSeconds;
    let port = DIG_DEFAULTS.port;
    let microseconds = false;
    let serverText: string | undefined;
    let serverBeforeName = false;
    const lookups: Lookup[] = [];
    let pendingType: number | undefined;
    let pendingClass: number | undefined;
    const setType = (t: number): void => {
      const last = lookups[lookups.length - 1];
      if (last !== undefined) last.type = t;
      else pendingType = t;
    };
    const setClass = (c: number): void => {
      const last = lookups[lookups.length - 1];
      if (last !== undefined) last.klass = c;
      else pendingClass = c;
    };
    const addLookup = (name: string, type?: number): void => {
      lookups.push({ name, type: type ?? pendingType, klass: pendingClass });
      pendingType = undefined;
      pendingClass = undefined;
    };

    const args = argv.slice(1);
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.startsWith('@')) {
        serverText = a.slice(1);
        if (lookups.length === 0) serverBeforeName = true;
        continue;
      }
      if (a.startsWith('+')) {
        const m = /^\+(no)?([a-z]*)(?:=(.*))?$/.exec(a);
        if (!m) throw new UsageError(`Invalid option: ${a}`);
        const on = m[1] === undefined;
        const key = plusKeyword(m[2]!, a);
        const value = m[3];
        const number = (): number => {
          if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`Invalid option: ${a}`);
          return Number(value);
        };
        switch (key) {
          case 'short':
            display.short = on;
            if (on) {
              display.comments = false;
              display.cmd = false;
              display.question = false;
              display.authority = false;
              display.additional = false;
              display.stats = false;
              display.answer = true;
            }
            break;
          case 'all':
            display.comments = on;
            display.cmd = on;
            display.question = on;
            display.answer = on;
            display.authority = on;
            display.additional = on;
            display.stats = on;
            break;
          case 'answer': display.answer = on; break;
          case 'question': display.question = on; break;
          case 'authority': display.authority = on; break;
          case 'additional': display.additional = on; break;
          case 'comments': display.comments = on; break;
          case 'cmd': display.cmd = on; break;
          case 'stats': display.stats = on; break;
          case 'qr': display.qr = on; break;
          case 'ttlid': display.ttl = on; break;
          case 'class': display.class = on; break;
          case 'recurse': flags.recurse = on; break;
          case 'edns': flags.edns = on; break;
          case 'cookie': flags.cookie = on; break;
          case 'adflag': flags.ad = on; break;
          case 'cdflag': flags.cd = on; break;
          case 'aaflag': flags.aa = on; break;
          case 'tries': tries = Math.max(1, number()); break;
          case 'retry': tries = number() + 1; break;
          case 'time': timeoutSeconds = Math.max(1, number()); break;
          case 'search':
            if (on) throw new UsageError('+search is not emulated (dig queries names as absolute, +nosearch)');
            break;
          case 'tcp':
          case 'vc':
            if (on) throw new UsageError(`${a}: TCP is not emulated`);
            break;
        }
        continue;
      }
      if (a.startsWith('-') && a.length > 1) {
        const opt = a[1]!;
        const takeValue = (): string => {
          if (a.length > 2) return a.slice(2);
          const v = args[++i];
          if (v === undefined) throw new UsageError(`option requires an argument -- '${opt}'`);
          return v;
        };
        switch (opt) {
          case 'x':
            addLookup(reverseOf(takeValue()), DnsType.PTR);
            break;
          case 't': {
            const v = takeValue();
            const t = typeOf(v);
            if (t === undefined) throw new UsageError(`invalid type: ${v}`);
            setType(t);
            break;
          }
          case 'c': {
            const v = takeValue();
            const c = classOf(v);
            if (c === undefined) throw new UsageError(`invalid class: ${v}`);
            setClass(c);
            break;
          }
          case 'p': {
            const v = takeValue();
            if (!/^\d+$/.test(v) || Number(v) > 0xffff) throw new UsageError(`port number out of range: ${v}`);
            port = Number(v);
            break;
          }
          case 'q':
            addLookup(takeValue());
            break;
          case 'u':
            microseconds = true;
            break;
          case '4':
          case 'r':
            break;
          case '6':
            throw new UsageError('-6: IPv6 is not emulated');
          default:
            throw new UsageError(`Invalid option: ${a}`);
        }
        continue;
      }
      const t = typeOf(a);
      const last = lookups[lookups.length - 1];
      if (t !== undefined && (last === undefined ? pendingType === undefined : last.type === undefined)) {
        setType(t);
        continue;
      }
      const c = classOf(a);
      if (c !== undefined && (last === undefined ? pendingClass === undefined : last.klass === undefined)) {
        setClass(c);
        continue;
      }
      addLookup(a);
    }
    if (lookups.length === 0) lookups.push({ name: '.', type: pendingType ?? DnsType.NS, klass: pendingClass });

    const { scope, resolver } = startProcess(env, io, exit);
    const handle = { kill: () => scope.kill() };
    let bannerShown = false;
    let exitCode = 0;
    const recordOpts: RecordTextOptions = { ttl: display.ttl, class: display.class };

    const banner = (serversFound: number | undefined): void => {
      if (bannerShown || !display.cmd) return;
      bannerShown = true;
      let text = `\n; <<>> DiG ${DIG_DEFAULTS.version} <<>> ${args.join(' ')}\n`;
      if (serversFound !== undefined) text += `; (${serversFound} server${serversFound === 1 ? '' : 's'} found)\n`;
      scope.out(`${text};; global options: +cmd\n`);
    };

    /** printmessage: the header, the OPT pseudosection and the sections dig is told to show. */
    const messageText = (m: DnsMessage, bytes: Uint8Array, sent: DnsMessage | undefined): string => {
      let s = '';
      const opt = m.additionals.find((r) => r.type === DnsType.OPT);
      if (display.comments) {
        s += sent === undefined ? ';; Sending:\n' : ';; Got answer:\n';
        s += `;; ->>HEADER<<- opcode: ${OPCODES[m.opcode]}, status: ${rcodeText(m.rcode)}, id: ${m.id}\n`;
        const f = [m.qr && 'qr', m.aa && 'aa', m.tc && 'tc', m.rd && 'rd', m.ra && 'ra', m.ad && 'ad', m.cd && 'cd']
          .filter((x): x is string => typeof x === 'string');
        s += `;; flags:${f.map((x) => ` ${x}`).join('')}; QUERY: ${m.questions.length}, ANSWER: ${m.answers.length}, `
          + `AUTHORITY: ${m.authorities.length}, ADDITIONAL: ${m.additionals.length}\n`;
        if (sent !== undefined && sent.rd && !m.ra) s += ';; WARNING: recursion requested but not available\n';
        s += '\n';
        if (opt !== undefined) s += optText(opt, sent);
      }
      const offsets = recordRdataOffsets(bytes);
      const section = (title: string, records: readonly DnsRecord[], first: number): void => {
        const shown = records.filter((r) => r.type !== DnsType.OPT);
        if (shown.length === 0) return;
        if (display.comments) s += `;; ${title} SECTION:\n`;
        records.forEach((r, k) => {
          if (r.type === DnsType.OPT) return;
          s += `${masterRecordText(r, bytes, offsets[first + k] ?? 0, recordOpts)}\n`;
        });
        if (display.comments) s += '\n';
      };
      if (display.question && m.questions.length > 0) {
        if (display.comments) s += ';; QUESTION SECTION:\n';
        for (const q of m.questions) s += `${masterQuestionText(q.name, q.type, q.class, recordOpts)}\n`;
        if (display.comments) s += '\n';
      }
      if (display.answer) section('ANSWER', m.answers, 0);
      if (display.authority) section('AUTHORITY', m.authorities, m.answers.length);
      if (display.additional) section('ADDITIONAL', m.additionals, m.answers.length + m.authorities.length);
      return s;
    };

    /** The OPT pseudosection: EDNS version, flags, UDP size, and a COOKIE. */
    const optText = (opt: DnsRecord, sent: DnsMessage | undefined): string => {
      const version = (opt.ttl >>> 16) & 0xff;
      const doBit = (opt.ttl & 0x8000) !== 0;
      let s = `;; OPT PSEUDOSECTION:\n; EDNS: version: ${version}, flags:${doBit ? ' do' : ''}; udp: ${opt.class}\n`;
      const rdata = opt.data.kind === 'raw' ? opt.data.rdata : new Uint8Array(0);
      for (let p = 0; p + 4 <= rdata.length;) {
        const code = (rdata[p]! << 8) | rdata[p + 1]!;
        const len = (rdata[p + 2]! << 8) | rdata[p + 3]!;
        const value = rdata.subarray(p + 4, p + 4 + len);
        if (code === 10 /* COOKIE */) {
          let suffix = '';
          if (sent !== undefined) {
            const ours = clientCookieOf(sent);
            if (ours !== undefined && value.length >= 8 && hex(value.subarray(0, 8)) === hex(ours)) {
              suffix = value.length > 8 ? ' (good)' : ' (echoed)';
            }
          }
          s += `; COOKIE: ${hex(value)}${suffix}\n`;
        }
        p += 4 + len;
      }
      return s;
    };

    const clientCookieOf = (m: DnsMessage): Uint8Array | undefined => {
      const opt = m.additionals.find((r) => r.type === DnsType.OPT);
      if (opt === undefined || opt.data.kind !== 'raw') return undefined;
      const r = opt.data.rdata;
      if (r.length >= 12 && ((r[0]! << 8) | r[1]!) === 10) return r.subarray(4, 12);
      return undefined;
    };

    const buildQuery = (lookup: Lookup): { message: DnsMessage; bytes: Uint8Array } => {
      const name = lookup.name === '.' ? '' : lookup.name.replace(/\.$/, '');
      const additionals: DnsRecord[] = [];
      if (flags.edns) {
        const rdata = flags.cookie ? new Uint8Array([0, 10, 0, 8, ...env.rng.fork(`cookie:${lookupIndex}`).bytes(8)]) : new Uint8Array(0);
        additionals.push({ name: '', type: DnsType.OPT, class: DIG_DEFAULTS.udpSize, ttl: 0, data: { kind: 'raw', rdata } });
      }
      const message: DnsMessage = {
        id: resolver.nextId(), qr: false, opcode: 0, aa: flags.aa, tc: false, rd: flags.recurse, ra: false,
        ...(flags.ad ? { ad: true } : {}), ...(flags.cd ? { cd: true } : {}),
        rcode: 0,
        questions: [{ name, type: lookup.type ?? DnsType.A, class: lookup.klass ?? DnsClass.IN }],
        answers: [], authorities: [], additionals,
      };
      return { message, bytes: emitDns(message) };
    };

    let lookupIndex = 0;

    /** Runs lookup `i` against `servers`, then the next lookup. */
    const runLookup = (servers: readonly { addr: SockAddr; name: string }[], serversFound: number | undefined): void => {
      if (lookupIndex >= lookups.length) {
        scope.exit(exitCode);
        return;
      }
      const lookup = lookups[lookupIndex]!;
      let query: { message: DnsMessage; bytes: Uint8Array };
      try {
        query = buildQuery(lookup);
      } catch {
        scope.err(`dig: '${lookup.name}' is not a legal name\n`);
        scope.exit(10);
        return;
      }
      const next = (): void => {
        lookupIndex++;
        runLookup(servers, serversFound);
      };
      if (display.qr) {
        banner(serversFound);
        scope.out(`${messageText(query.message, query.bytes, undefined)};; QUERY SIZE: ${query.bytes.length}\n\n`);
      }
      const tryServer = (si: number, attempt: number): void => {
        if (si >= servers.length) {
          exitCode = 9;
          if (!display.short) banner(serversFound);
          scope.out(';; no servers could be reached\n');
          next();
          return;
        }
        if (attempt > tries) {
          tryServer(si + 1, 1);
          return;
        }
        const server = servers[si]!;
        const where = `${formatHost(server.addr)}#${server.addr.port}`;
        const opened = server.addr.family === 4
          ? ConnectedUdp.open(env.ns, server.addr.ip, server.addr.port, { configure: (s) => { s.pmtudisc = 'dont'; } })
          : { call: 'connect' as const, errno: 'ENETUNREACH' as const };
        if (!(opened instanceof ConnectedUdp)) {
          scope.out(`;; UDP setup with ${where}(${server.name}) for ${lookup.name} failed: ${iscResultText(opened.errno)}.\n`);
          scope.out(';; no servers could be reached\n');
          exitCode = 9;
          if (attempt < tries) tryServer(si, attempt + 1);
          else if (si + 1 < servers.length) tryServer(si + 1, 1);
          else next();
          return;
        }
        const sock = scope.hold(opened);
        const sentAt = env.scheduler.now;
        let timer: Stoppable | undefined;
        const close = (): void => {
          timer?.cancel();
          sock.listen(undefined);
          scope.release(sock);
        };
        const retry = (why: string): void => {
          close();
          scope.out(`;; communications error to ${where}: ${why}\n`);
          tryServer(si, attempt + 1);
        };
        sock.listen({
          onDatagram: (payload) => {
            let reply: DnsMessage;
            try {
              reply = parseDns(payload);
            } catch {
              return; // dig would warn about a malformed answer and wait on
            }
            if (reply.id !== query.message.id || !reply.qr) return;
            close();
            const elapsed = env.scheduler.now - sentAt;
            if (display.short) {
              const offsets = recordRdataOffsets(payload);
              let text = '';
              reply.answers.forEach((r, k) => { text += `${rdataText(r, payload, offsets[k] ?? 0)}\n`; });
              scope.out(text);
            } else {
              banner(serversFound);
              let text = messageText(reply, payload, query.message);
              if (display.stats) {
                const took = microseconds ? `${Math.floor(elapsed / 1000)} usec` : `${Math.floor(elapsed / 1e6)} msec`;
                text += `;; Query time: ${took}\n;; SERVER: ${where}(${server.name}) (UDP)\n`
                  + `;; WHEN: ${formatCTimeUtc(unixSecondsAt(startUnixNs, env.scheduler.now))}\n`
                  + `;; MSG SIZE  rcvd: ${payload.length}\n\n`;
              }
              scope.out(text);
            }
            next();
          },
          onError: (errno) => retry(iscResultText(errno)),
        });
        const errno = sock.write(query.bytes);
        if (errno !== undefined) {
          retry(iscResultText(errno));
          return;
        }
        timer = scope.after(ms(timeoutSeconds * 1000), () => retry('timed out'));
      };
      tryServer(0, 1);
    };

    // The servers: @SERVER (resolved through libc when it is a name), else resolv.conf's.
    if (serverText !== undefined) {
      const text = serverText;
      const literal4 = inetAton(text);
      const literal6 = inetPton6(text);
      if (literal4 !== undefined) {
        runLookup([{ addr: { family: 4, ip: literal4, port }, name: text }], serverBeforeName ? 1 : undefined);
      } else if (literal6 !== undefined) {
        runLookup([{ addr: { family: 6, ip6: literal6, port }, name: formatIpv6(literal6) }], serverBeforeName ? 1 : undefined);
      } else {
        scope.track(resolver.getaddrinfo(text, 'unspec', (r) => {
          if (!r.ok) {
            scope.err(`dig: couldn't get address for '${text}': not found\n`);
            scope.exit(10);
            return;
          }
          const servers = [
            ...r.ipv4.map((ip) => ({ addr: { family: 4, ip, port } as SockAddr, name: text })),
            ...r.ipv6.map((ip6) => ({ addr: { family: 6, ip6, port } as SockAddr, name: text })),
          ];
          runLookup(servers, serverBeforeName ? servers.length : undefined);
        }));
      }
    } else {
      const conf = parseResolvConf(env.files.read('/etc/resolv.conf'));
      runLookup(conf.nameservers.map((ip) => {
        const a: SockAddr = { family: 4, ip, port };
        return { addr: a, name: formatHost(a) };
      }), undefined);
    }
    return handle;
  };
}

/** isc_result_totext of the socket errors dig reports. */
function iscResultText(errno: Errno): string {
  switch (errno) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'EHOSTUNREACH': return 'host unreachable';
    case 'ENETUNREACH': return 'network unreachable';
    case 'EACCES': return 'permission denied';
    case 'EADDRNOTAVAIL': return 'address not available';
    case 'EMSGSIZE': return 'message too long';
    default: return 'unexpected error';
  }
}
