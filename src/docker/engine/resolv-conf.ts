/**
 * A container's /etc/resolv.conf, written the way 19.03's libnetwork writes it
 * (resolvconf/resolvconf.go, sandbox_dns_unix.go; docker-facts §4):
 *
 * - default bridge, no --dns (setupDNS): the host's file with localhost nameservers removed
 *   (FilterResolvDNS with IPv6 "on"); if no nameserver is left, Google's four public resolvers
 *   are appended. Joining an IPv4-only network then filters again with IPv6 off (updateDNS),
 *   which removes the two IPv6 ones.
 * - user-defined networks (rebuildDNS): `nameserver 127.0.0.11`, the host's search domains and
 *   options, plus `ndots:0`.
 * - --dns/--dns-search/--dns-option: built from those (Build), the host's for the rest.
 * - --network host: a copy of the host's file.
 *
 * Heads up: a host without /etc/resolv.conf is read as an empty file (19.03 would refuse to
 * start the container; later versions read it as empty, which is what a scenario host without
 * `resolvers:` means).
 */

/** resolvconf's patterns (Go RE2 syntax that JavaScript reads the same way). */
const IPV4_NUM_BLOCK = '(25[0-5]|(2[0-4]|1[0-9]|[1-9]|)[0-9])';
const IPV4_ADDRESS = `(${IPV4_NUM_BLOCK}\\.){3}${IPV4_NUM_BLOCK}`;
const IPV6_ADDRESS = '([0-9A-Fa-f]{0,4}:){2,7}([0-9A-Fa-f]{0,4})(%\\w+)?';
/** dns.IPLocalhost. */
const IP_LOCALHOST = '((127\\.([0-9]{1,3}\\.){2}[0-9]{1,3})|(::1)$)';
const LOCALHOST_NS = new RegExp(`^nameserver\\s+${IP_LOCALHOST}\\s*\\n*`, 'gm');
const NS_IPV6 = new RegExp(`^nameserver\\s+${IPV6_ADDRESS}\\s*\\n*`, 'gm');
const NS_ANY = new RegExp(`^\\s*nameserver\\s*((${IPV4_ADDRESS})|(${IPV6_ADDRESS}))\\s*$`);
const NS_V4 = new RegExp(`^\\s*nameserver\\s*((${IPV4_ADDRESS}))\\s*$`);
const NS_V6 = new RegExp(`^\\s*nameserver\\s*((${IPV6_ADDRESS}))\\s*$`);
const SEARCH = /^\s*search\s*(([^\s]+\s*)*)$/;
const OPTIONS = /^\s*options\s*(([^\s]+\s*)*)$/;

/** RESOLV_CONF_DEFAULTS: what libnetwork falls back to and what its embedded server adds. */
export const RESOLV_CONF_DEFAULTS = {
  ipv4Servers: ['nameserver 8.8.8.8', 'nameserver 8.8.4.4'],
  ipv6Servers: ['nameserver 2001:4860:4860::8888', 'nameserver 2001:4860:4860::8844'],
  /** resolverIPSandbox. */
  embeddedServer: '127.0.0.11',
  /** Resolver.ResolverOptions(). */
  embeddedOptions: ['ndots:0'],
} as const;

export type NameserverKind = 'ip' | 'ipv4' | 'ipv6';

/** getLines: the lines, each cut at its first comment marker. */
function lines(content: string): string[] {
  return content.split('\n').map((l) => {
    const i = l.indexOf('#');
    return i < 0 ? l : l.slice(0, i);
  });
}

/** GetNameservers. */
export function getNameservers(content: string, kind: NameserverKind = 'ip'): string[] {
  const re = kind === 'ip' ? NS_ANY : kind === 'ipv4' ? NS_V4 : NS_V6;
  const out: string[] = [];
  for (const l of lines(content)) {
    const m = re.exec(l);
    if (m) out.push(m[1]!);
  }
  return out;
}

/** GetSearchDomains: the last `search` line's domains. */
export function getSearchDomains(content: string): string[] {
  let out: string[] = [];
  for (const l of lines(content)) {
    const m = SEARCH.exec(l);
    if (m) out = m[1]!.split(/\s+/).filter((f) => f !== '');
  }
  return out;
}

/** GetOptions: the last `options` line's options. */
export function getOptions(content: string): string[] {
  let out: string[] = [];
  for (const l of lines(content)) {
    const m = OPTIONS.exec(l);
    if (m) out = m[1]!.split(/\s+/).filter((f) => f !== '');
  }
  return out;
}

/**
 * FilterResolvDNS: localhost nameservers removed (and IPv6 ones unless `ipv6Enabled`); with no
 * nameserver left, the defaults appended after a newline.
 */
export function filterResolvDns(content: string, ipv6Enabled: boolean): string {
  let cleaned = content.replace(LOCALHOST_NS, '');
  if (!ipv6Enabled) cleaned = cleaned.replace(NS_IPV6, '');
  if (getNameservers(cleaned).length === 0) {
    const dns: string[] = [...RESOLV_CONF_DEFAULTS.ipv4Servers];
    if (ipv6Enabled) dns.push(...RESOLV_CONF_DEFAULTS.ipv6Servers);
    cleaned += `\n${dns.join('\n')}`;
  }
  return cleaned;
}

/** resolvconf.Build. */
export function buildResolvConf(nameservers: readonly string[], search: readonly string[], options: readonly string[]): string {
  let out = '';
  if (search.length > 0) {
    const s = search.join(' ');
    if (s.trim() !== '.') out += `search ${s}\n`;
  }
  for (const ns of nameservers) out += `nameserver ${ns}\n`;
  if (options.length > 0) {
    const o = options.join(' ');
    if (o.trim() !== '') out += `options ${o}\n`;
  }
  return out;
}

/** The user's --dns, --dns-search and --dns-option (empty = not given). */
export interface DnsConfig {
  readonly servers: readonly string[];
  readonly search: readonly string[];
  readonly options: readonly string[];
}

export const NO_DNS_CONFIG: DnsConfig = { servers: [], search: [], options: [] };

function hasDnsConfig(c: DnsConfig): boolean {
  return c.servers.length > 0 || c.search.length > 0 || c.options.length > 0;
}

/** A resolver the embedded DNS server forwards to (sandbox extDNS). */
export interface ExternalResolver {
  readonly ip: string;
  /** A loopback server of the host's: contacted from the host namespace (HostLoopback). */
  readonly hostLoopback: boolean;
}

/** The resolv.conf of a sandbox and the servers its embedded resolver would forward to. */
export interface SandboxDns {
  content: string;
  external: ExternalResolver[];
  /**
   * The file still has the content libnetwork last hashed (resolv.conf.hash). rebuildDNS does not
   * update the hash, so once the embedded server has rewritten the file, updateDNS leaves it be.
   */
  hashed: boolean;
  /** rebuildDNS found `ndots:N` with N > 0 among the options (sandbox ndotsSet). */
  ndotsSet: boolean;
}

/** setupDNS at sandbox creation (not for --network host: that is a plain copy). */
export function setupSandboxDns(hostResolvConf: string, user: DnsConfig): SandboxDns {
  if (hasDnsConfig(user)) {
    const servers = user.servers.length > 0 ? user.servers : getNameservers(hostResolvConf);
    const search = user.search.length > 0 ? user.search : getSearchDomains(hostResolvConf);
    const options = user.options.length > 0 ? user.options : getOptions(hostResolvConf);
    const content = buildResolvConf(servers, search, options);
    // --dns 127.0.0.x means the container's own loopback.
    return { content, external: getNameservers(content, 'ipv4').map((ip) => ({ ip, hostLoopback: false })), hashed: true, ndotsSet: false };
  }
  const external = getNameservers(hostResolvConf, 'ipv4').map((ip) => ({ ip, hostLoopback: ip.startsWith('127.') }));
  return { content: filterResolvDns(hostResolvConf, true), external, hashed: true, ndotsSet: false };
}

/** updateDNS(ipv6Enabled) on every join: unless the user configured DNS, filter again. */
export function updateSandboxDns(dns: SandboxDns, user: DnsConfig, ipv6Enabled: boolean): void {
  if (hasDnsConfig(user) || !dns.hashed) return;
  dns.content = filterResolvDns(dns.content, ipv6Enabled);
}

/** rebuildDNS when the embedded server starts (first join of a user-defined network). */
export function rebuildSandboxDns(dns: SandboxDns): void {
  const current = dns.content;
  if (dns.external.length === 0) dns.external = getNameservers(current, 'ipv4').map((ip) => ({ ip, hostLoopback: false }));
  const servers = [RESOLV_CONF_DEFAULTS.embeddedServer, ...getNameservers(current, 'ipv6')];
  const options = getOptions(current);
  dns.ndotsSet = options.some((o) => /^ndots:(\d+)$/.test(o) && Number(o.slice('ndots:'.length)) > 0);
  dns.content = buildResolvConf(servers, getSearchDomains(current), [...options, ...RESOLV_CONF_DEFAULTS.embeddedOptions]);
  dns.hashed = false;
}
