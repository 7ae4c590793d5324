/**
 * How busybox's `ip` reads its command line (libbb/compare_string_array.c,
 * networking/libiproute/utils.c, rt_names.c, rtm_map.c), with its complaints word for word:
 *
 *   - a keyword list is searched either exactly (index_in_strings) or by prefix
 *     (index_in_substrings): an exact match wins, a prefix of one keyword picks it, a prefix of
 *     two or more is ambiguous and matches nothing (`ip link s` is neither "set" nor "show");
 *   - NEXT_ARG: a keyword without its value is "command line is not complete, try "help"";
 *   - addresses and prefixes are parsed by get_addr_1/get_prefix_1, which accept short dotted
 *     forms ("10.10" is 10.10.0.0), a prefix length in C notation or as a dotted netmask, and
 *     "default", "all" and "any" (a zero-length prefix of the family in force, none if none).
 *
 * Every complaint about the command line is a UsageError (a malformed step is an invalid
 * scenario); its message is busybox's text without the "ip: " its bb_error_msg puts first.
 */
import { UsageError } from '../usage-error';
import { Args } from '../iproute2';

/** index_in_substrings: the index of the keyword `word` matches, or -1 (none, or ambiguous). */
export function keywordIndex(keywords: readonly string[], word: string): number {
  if (word.length === 0) return -1;
  let matched = -1;
  for (let i = 0; i < keywords.length; i++) {
    const k = keywords[i]!;
    if (!k.startsWith(word)) continue;
    if (k.length === word.length) return i;
    if (matched >= 0) return -1;
    matched = i;
  }
  return matched;
}

/** busybox's NEXT_ARG complaint, word for word. */
function incomplete(): never {
  throw new UsageError('command line is not complete, try "help"');
}

/** A cursor over the remaining words, with NEXT_ARG semantics: iproute2's, with busybox's complaint. */
export type AppletArgs = Args;

export function appletArgs(words: readonly string[]): AppletArgs {
  return new Args(words, incomplete);
}

/** invarg_1_to_2 (bb_msg_invalid_arg_to). */
export function invalidArgument(arg: string, to: string): never {
  throw new UsageError(`invalid argument '${arg}' to '${to}'`);
}

export function duparg(key: string, arg: string): never {
  throw new UsageError(`duplicate "${key}": "${arg}" is the second value`);
}

export function duparg2(key: string, arg: string): never {
  throw new UsageError(`either "${key}" is duplicate, or "${arg}" is garbage`);
}

/** The address family in force: `-4`, `-6`, `-0` (AF_PACKET), or none (AF_UNSPEC). */
export type Family = 'unspec' | 'inet' | 'inet6' | 'packet';

/** inet_prefix: an address, its length in bits, and its family ('unspec' for "default" without -4). */
export interface InetPrefix {
  readonly family: 'unspec' | 'inet';
  /** The address as an unsigned 32-bit integer (0 for the zero-length forms). */
  readonly addr: number;
  readonly bitlen: number;
}

function ipv6NotEmulated(text: string): never {
  throw new UsageError(`cnmlab: IPv6 ("${text}") is not emulated`);
}

/** get_addr_1 for IPv4: up to four decimal parts below 256, missing ones zero; undefined when malformed. */
function parseShortIpv4(text: string): number | undefined {
  const bytes = [0, 0, 0, 0];
  let i = 0;
  let n = 0;
  for (const c of text) {
    if (c >= '0' && c <= '9') {
      n = n * 10 + (c.charCodeAt(0) - 48);
      if (n >= 256) return undefined;
      bytes[i] = n;
    } else if (c === '.' && ++i <= 3) {
      n = 0;
    } else {
      return undefined;
    }
  }
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

function isZeroLengthWord(text: string): boolean {
  return text === 'default' || text === 'all' || text === 'any';
}

function familyNotAllowed(text: string, what: string): never {
  throw new UsageError(`"${text}" may be inet ${what}, but it is not allowed in this context`);
}

/** get_addr: an IPv4 address ("default", "all" and "any" are 0.0.0.0). */
export function inetAddress(text: string, family: Family): InetPrefix {
  if (family === 'packet') familyNotAllowed(text, 'address');
  if (isZeroLengthWord(text)) return { family: family === 'inet' ? 'inet' : 'unspec', addr: 0, bitlen: -1 };
  if (text.includes(':')) ipv6NotEmulated(text);
  const addr = family === 'inet6' ? undefined : parseShortIpv4(text);
  if (addr === undefined) throw new UsageError(`an inet address is expected rather than "${text}"`);
  return { family: 'inet', addr, bitlen: -1 };
}

/** strtoul with base 0 over the whole text (bb_strtou): decimal, 0x hex, 0 octal. */
function parseCUnsigned(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[0-7]*$/.test(text)) return parseInt(text, 8);
  if (/^[1-9]\d*$/.test(text)) return parseInt(text, 10);
  return undefined;
}

/**
 * get_prefix: ADDR[/LEN or /NETMASK]; a bare address is a /32. Heads up: get_prefix_1 does not
 * complain about an address it cannot parse: the prefix is then an empty IPv4 one (get_addr_1
 * set the family before it failed), which every address matches (`ip route show foo` lists
 * what `ip route show default` does with -4); in -6 context it is no prefix at all.
 */
export function inetPrefix(text: string, family: Family): InetPrefix {
  if (family === 'packet') familyNotAllowed(text, 'prefix');
  if (isZeroLengthWord(text)) return { family: family === 'inet' ? 'inet' : 'unspec', addr: 0, bitlen: 0 };
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  if (addrText.includes(':')) ipv6NotEmulated(text);
  if (family === 'inet6') return { family: 'unspec', addr: 0, bitlen: 0 };
  const addr = parseShortIpv4(addrText);
  if (addr === undefined) return { family: 'inet', addr: 0, bitlen: 0 };
  if (slash < 0) return { family: 'inet', addr, bitlen: 32 };
  const lenText = text.slice(slash + 1);
  const bad = (): never => {
    throw new UsageError(`an inet prefix is expected rather than "${text}"`);
  };
  const len = parseCUnsigned(lenText);
  if (len !== undefined && len <= 32) return { family: 'inet', addr, bitlen: len };
  const mask = parseShortIpv4(lenText);
  if (mask === undefined) return bad();
  const host = ~mask >>> 0;
  // A valid netmask is 2^n - 1 inverted.
  if ((host & (host + 1)) !== 0) return bad();
  let bits = 0;
  for (let m = mask; m !== 0; m = (m << 1) >>> 0) bits++;
  return { family: 'inet', addr, bitlen: bits };
}

/** inet_addr_match: whether the first `bits` bits of `a` and `b` agree. */
export function prefixMatches(a: number, b: number, bits: number): boolean {
  if (bits <= 0) return true;
  const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  return ((a ^ b) & mask) >>> 0 === 0;
}

/** get_unsigned / get_u32: an unsigned C integer, else invarg_1_to_2(text, what). */
export function unsignedArg(text: string, what: string): number {
  const n = parseCUnsigned(text);
  if (n === undefined || n > 0xffffffff) invalidArgument(text, what);
  return n;
}

/** rt_names.c's scope table (rtnl_rtscope_a2n/n2a): names or numbers up to 1023. */
const SCOPE_NAMES: ReadonlyMap<string, number> = new Map([['global', 0], ['site', 200], ['link', 253], ['host', 254], ['nowhere', 255]]);

/** rtnl_rtscope_a2n; undefined when neither a name nor a number up to 1023. */
export function scopeNumber(text: string): number | undefined {
  return SCOPE_NAMES.get(text) ?? tableNumber(text);
}

/** The number of a route or address scope the stack names. */
export function scopeOf(name: 'global' | 'link' | 'host'): number {
  return SCOPE_NAMES.get(name)!;
}

/** rtnl_a2n's fallback: bb_strtou, refused above RT_TABLE_MAX (1023). */
function tableNumber(text: string): number | undefined {
  const n = parseCUnsigned(text);
  return n !== undefined && n <= 1023 ? n : undefined;
}

/** rtnl_rtprot_a2n: the protocol names busybox knows, or a number. */
export function protocolNumber(text: string): number | undefined {
  const names = ['none', 'redirect', 'kernel', 'boot', 'static', '', '', '', 'gated', 'ra', 'mrt', 'zebra', 'bird'];
  const i = text === '' ? -1 : names.indexOf(text);
  return i >= 0 ? i : tableNumber(text);
}

/** rtnl_rttable_a2n: the table names busybox knows, or a number. */
export function tableId(text: string): number | undefined {
  const names: ReadonlyMap<string, number> = new Map([['unspec', 0], ['default', 253], ['main', 254], ['local', 255]]);
  return names.get(text) ?? tableNumber(text);
}

/** rtm_map.c's route types (rtnl_rtntype_a2n): whether `text` names one (by prefix) or is a number up to 255. */
export function isRouteType(text: string): boolean {
  const names = ['local', 'nat', 'broadcast', 'brd', 'anycast', 'multicast', 'prohibit', 'unreachable', 'blackhole', 'xresolve', 'unicast', 'throw'];
  if (keywordIndex(names, text) >= 0) return true;
  const n = parseCUnsigned(text);
  return n !== undefined && n <= 255;
}
