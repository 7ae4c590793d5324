/**
 * The `iptables` program a step runs on a host (or in any namespace whose image has it): it
 * reads the namespace's tables (netfilterOf), prints what iptables 1.8.4 prints, and exits with
 * iptables' status. A command line that cannot be right whatever the state (an unknown option,
 * a malformed address) is a UsageError, which the scenario runner reports as an invalid step;
 * everything else (a missing chain, a rule that is not there) prints iptables' complaint.
 *
 * Names for `-L` without `-n` come from the machine's files: /etc/hosts (gethostbyaddr, first
 * name of the first line with the address) and /etc/networks (getnetbyaddr), the latter
 * defaulting to Ubuntu's (only `link-local 169.254.0.0`, so Docker's `! -d 127.0.0.0/8` lists as
 * "!127.0.0.0/8"; Debian's file also names `loopback 127.0.0.0`) when the machine has none.
 * Reverse DNS is not consulted.
 */
import { netfilterOf, type NetworkNamespace } from '../../stack';
import { parseIpv4, type Ipv4 } from '../../wire';
import type { Program, ProgramRegistry, VirtualFiles } from '../program';
import { UsageError } from '../usage-error';
import type { IptablesNames } from './iptables-format';
import { runIptables } from './iptables-run';

/** Ubuntu's /etc/networks, used when the machine has no such file. */
export const DEFAULT_NETWORKS_FILE = '# symbolic names for networks, see networks(5) for more information\nlink-local 169.254.0.0\n';

/** inet_network: dotted parts, right-aligned ("127" is 0x7f, "127.0.0.0" is 0x7f000000). */
function inetNetwork(text: string): Ipv4 | undefined {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  let v = 0;
  for (const p of parts) v = v * 256 + Number(p);
  return v >>> 0;
}

/** gethostbyaddr / getnetbyaddr over the machine's files. */
export function namesFromFiles(files: VirtualFiles): IptablesNames {
  const hosts = new Map<Ipv4, string>();
  for (const line of (files.read('/etc/hosts') ?? '').split('\n')) {
    const words = line.replace(/#.*/, '').trim().split(/\s+/);
    if (words.length < 2) continue;
    let ip: Ipv4;
    try {
      ip = parseIpv4(words[0]!);
    } catch {
      continue;
    }
    if (!hosts.has(ip)) hosts.set(ip, words[1]!);
  }
  const networks = new Map<Ipv4, string>();
  for (const line of (files.read('/etc/networks') ?? DEFAULT_NETWORKS_FILE).split('\n')) {
    const words = line.replace(/#.*/, '').trim().split(/\s+/);
    if (words.length < 2) continue;
    const net = inetNetwork(words[1]!);
    if (net !== undefined && !networks.has(net)) networks.set(net, words[0]!);
  }
  return { host: (ip) => hosts.get(ip), network: (ip) => networks.get(ip) };
}

/** The program (`iptables …`). */
export function iptablesProgram<S>(): Program<NetworkNamespace, S> {
  return (argv, env, io, exit) => {
    const result = runIptables(netfilterOf(env.ns), argv, namesFromFiles(env.files));
    if (result.problem?.syntax) throw new UsageError(result.problem.complaint);
    if (result.stdout) io.stdout(result.stdout);
    if (result.stderr) io.stderr(result.stderr);
    exit(result.code);
  };
}

/** Registers `iptables` in a machine's program registry. */
export function registerIptables<S>(registry: ProgramRegistry<NetworkNamespace, S>): void {
  registry.register('iptables', iptablesProgram<S>());
}
