/**
 * `ip link show` and `ip address show` (ip/ipaddress.c ipaddr_list_flush_or_save): which
 * devices are listed, and in which form (full, `-br`, with `-s` statistics, only IPv4 with
 * `-4`).
 *
 * Filters: a device name (`dev` optional; a second one is "either "dev" is duplicate, or … is
 * a garbage"), `up`, `down`, `master DEV`, `nomaster`, `type KIND` (veth, bridge, vxlan, vlan;
 * KIND_slave for ports). With `-4`, `ip addr` drops devices without an IPv4 address and omits
 * the link-layer line; without a family, devices with no address at all are listed too.
 */
import { formatIpv4, formatMac } from '../../wire';
import type { Netdev } from '../../stack';
import { Args, duparg2, matches } from './command-line';
import { CommandFailed } from './kernel-errors';
import type { IpContext } from './ip-context';
import { addressLines, flagsText, linkLines, nameAndLink, orderedAddresses, statsText } from './link-format';
import { UsageError } from '../usage-error';

/** IFLA_INFO_KIND of a device (none for the loopback and NICs). */
export function kindOf(dev: Netdev): string | undefined {
  switch (dev.kind) {
    case 'veth':
    case 'bridge':
    case 'vxlan':
    case 'vlan':
      return dev.kind;
    case 'loopback':
    case 'ethernet':
      return undefined;
  }
}

export function listLinks(ctx: IpContext, args: Args, doLink: boolean): number {
  let filterDev: string | undefined;
  let up = false;
  let down = false;
  let master: Netdev | null | undefined;
  let kind: string | undefined;
  let slaveKind: string | undefined;
  while (!args.done) {
    const w = args.word;
    if (w === 'up') up = true;
    else if (w === 'down') down = true;
    else if (w === 'master') {
      const name = args.value();
      const m = ctx.machine.link(ctx.ns, name);
      if (m === undefined) throw new CommandFailed(`Error: argument "${name}" is wrong: Device does not exist\n\n`, 255);
      master = m;
    } else if (w === 'nomaster') master = null;
    else if (w === 'type') {
      const t = args.value();
      if (t.endsWith('_slave')) slaveKind = t.slice(0, -'_slave'.length);
      else kind = t;
    } else if (['to', 'scope', 'label', 'group', 'vrf', 'proto'].includes(w)) {
      throw new UsageError(`cnmlab: the "${w}" filter of "ip ${doLink ? 'link' : 'address'} show" is not emulated`);
    } else if (w === 'novf') {
      // Virtual functions do not exist here.
    } else {
      let name = w;
      if (w === 'dev') name = args.value();
      else if (matches(w, 'help')) throw new UsageError(`cnmlab: "ip ${doLink ? 'link' : 'address'} help" is not emulated (see ip-${doLink ? 'link' : 'address'}(8))`);
      if (filterDev !== undefined) duparg2('dev', name);
      filterDev = name;
    }
    args.advance();
  }

  const machine = ctx.machine;
  let devs: Netdev[];
  if (filterDev !== undefined) {
    const d = machine.link(ctx.ns, filterDev);
    if (d === undefined) throw new CommandFailed(`Device "${filterDev}" does not exist.\n`, 1);
    devs = [d];
  } else {
    devs = machine.links(ctx.ns);
  }
  const family = doLink ? 'link' : ctx.opts.family;
  const { io, opts } = ctx;
  for (const dev of devs) {
    if (up && !dev.up) continue;
    if (down && dev.up) continue;
    if (master === null && dev.master !== undefined) continue;
    if (master !== undefined && master !== null && dev.master !== master) continue;
    if (kind !== undefined && kindOf(dev) !== kind) continue;
    if (slaveKind !== undefined && (dev.master === undefined || kindOf(dev.master) !== slaveKind)) continue;
    const addrs = family === 'link' || family === 'inet6' ? [] : orderedAddresses(dev);
    if (family === 'inet' && addrs.length === 0) continue;
    if (family === 'inet6') continue; // no IPv6 (the hosts run with it disabled, like the kernel fixtures)

    if (opts.brief) {
      const nl = nameAndLink(machine, dev);
      let line = `${nl.text.padEnd(16)} ${dev.operState.padEnd(14)} `;
      if (family === 'link') {
        line += `${dev.kind === 'loopback' ? '00:00:00:00:00:00' : formatMac(dev.mac)} ${flagsText(dev, nl.mdown)} \n`;
      } else {
        for (const a of addrs) line += `${formatIpv4(a.address)}/${a.prefixLen} `;
        line += '\n';
      }
      io.stdout(line);
      continue;
    }
    let text = linkLines(machine, dev, { doLink, linkLayer: family === 'any' || family === 'link' });
    if (doLink && opts.stats > 0) text += `\n${statsText(dev.counters)}`;
    text += '\n';
    if (!doLink) {
      for (const a of addrs) text += addressLines(machine, dev, a);
      if (opts.stats > 0) text += `${statsText(dev.counters)}\n`;
    }
    io.stdout(text);
  }
  return 0;
}
