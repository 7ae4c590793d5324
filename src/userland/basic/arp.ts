/**
 * busybox `arp` (networking/arp.c) listing /proc/net/arp of the namespace it runs in:
 *
 *   ? (10.0.0.1) at 02:42:0a:00:00:01 [ether]  on eth0
 *   ? (10.0.0.9) at <incomplete>  on eth0
 *
 * /proc/net/arp holds every neighbour entry but NOARP ones; ATF_COM is set for entries with a
 * valid address, ATF_PERM for permanent ones ("PERM "). Names are "?" with -n, and without it
 * too, since no reverse DNS answers here (busybox prints "?" when the name is the address).
 * Filters: -i IF, -H ether, a host address; with a filter and nothing shown, "No match found in
 * N entries". -v adds the "Entries:" line. Setting and deleting entries (-s, -d) are not
 * emulated.
 */
import { formatIpv4, formatMac, parseIpv4 } from '../../wire';
import type { Machine, NetworkNamespace } from '../../stack';
import type { Program } from '../program';
import { UsageError } from '../usage-error';

export const arpProgram: Program<NetworkNamespace, Machine> = (argv, env, io, exit) => {
  let device: string | undefined;
  let verbose = false;
  let host: string | undefined;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (!w.startsWith('-') || w === '-') {
      if (host === undefined) host = w;
      continue;
    }
    for (let k = 1; k < w.length; k++) {
      const c = w[k]!;
      const value = (): string => {
        const v = w.slice(k + 1) || args[++i];
        if (v === undefined) throw new UsageError(`option requires an argument: ${c}`);
        k = w.length;
        return v;
      };
      if (c === 'a' || c === 'n' || c === 'D') continue;
      if (c === 'v') verbose = true;
      else if (c === 'i') device = value();
      else if (c === 'H' || c === 't') {
        const t = value();
        if (t !== 'ether') throw new UsageError(`${t}: unknown hardware type`);
      } else if (c === 'A' || c === 'p') {
        const f = value();
        if (f !== 'inet') throw new UsageError(`${f}: unknown address family`);
      } else if (c === 'd' || c === 's') throw new UsageError(`cnmlab: arp -${c} is not emulated`);
      else throw new UsageError(`unrecognized option: ${c}`);
    }
  }
  let hostIp: number | undefined;
  if (host !== undefined) {
    try {
      hostIp = parseIpv4(host);
    } catch {
      io.stderr(`arp: ${host}: Unknown host\n`);
      exit(1);
      return;
    }
  }
  const rows = env.machine.neighbours(env.ns).filter((n) => n.state !== 'noarp');
  let out = '';
  let shown = 0;
  for (const n of rows) {
    if (device !== undefined && n.dev.name !== device) continue;
    if (hostIp !== undefined && n.ip !== hostIp) continue;
    shown++;
    const complete = n.state !== 'incomplete' && n.state !== 'failed';
    out += `? (${formatIpv4(n.ip)}) at ${complete ? `${formatMac(n.mac ?? 0)} [ether] ` : '<incomplete> '}${n.state === 'permanent' ? 'PERM ' : ''} on ${n.dev.name}\n`;
  }
  if (verbose) out += `Entries: ${rows.length}\tSkipped: ${rows.length - shown}\tFound: ${shown}\n`;
  if (shown === 0 && (host !== undefined || device !== undefined)) out += `No match found in ${rows.length} entries\n`;
  io.stdout(out);
  exit(0);
};
