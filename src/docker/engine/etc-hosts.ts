/**
 * A container's /etc/hosts as libnetwork writes it (etchosts/etchosts.go, sandbox_dns_unix.go):
 * the six default records at sandbox creation, then on every endpoint join with an address a
 * record `<address>\t<hostname>` (`<fqdn> <host>` when the hostname has a dot), removed again
 * when the endpoint leaves. `--network host` containers get a copy of the host's file instead.
 */

export interface HostsRecord {
  readonly ip: string;
  readonly hosts: string;
}

/** etchosts defaultContent. */
export const DEFAULT_HOSTS_RECORDS: readonly HostsRecord[] = [
  { ip: '127.0.0.1', hosts: 'localhost' },
  { ip: '::1', hosts: 'localhost ip6-localhost ip6-loopback' },
  { ip: 'fe00::0', hosts: 'ip6-localnet' },
  { ip: 'ff00::0', hosts: 'ip6-mcastprefix' },
  { ip: 'ff02::1', hosts: 'ip6-allnodes' },
  { ip: 'ff02::2', hosts: 'ip6-allrouters' },
];

/** Record.WriteTo. */
export function formatHostsRecord(r: HostsRecord): string {
  return `${r.ip}\t${r.hosts}\n`;
}

/** etchosts.Build with no main IP: the default records. */
export function buildHostsFile(extra: readonly HostsRecord[] = []): string {
  return [...DEFAULT_HOSTS_RECORDS, ...extra].map(formatHostsRecord).join('');
}

/** updateHostsFile's record for an interface address: the FQDN and, if it has a dot, the short name. */
export function hostnameRecord(ip: string, hostname: string, domainname = ''): HostsRecord {
  const fqdn = domainname !== '' ? `${hostname}.${domainname}` : hostname;
  const dot = fqdn.indexOf('.');
  return { ip, hosts: dot < 0 ? fqdn : `${fqdn} ${fqdn.slice(0, dot)}` };
}

/** etchosts.Add: appends the records. */
export function addHostsRecords(content: string, recs: readonly HostsRecord[]): string {
  return content + recs.map(formatHostsRecord).join('');
}

/** etchosts.Delete: drops the lines that are exactly one of the records. */
export function deleteHostsRecords(content: string, recs: readonly HostsRecord[]): string {
  const drop = new Set(recs.map((r) => `${r.ip}\t${r.hosts}`));
  return content
    .split('\n')
    .filter((l, i, all) => !(i === all.length - 1 && l === '') && l !== '' && !drop.has(l))
    .map((l) => `${l}\n`)
    .join('');
}
