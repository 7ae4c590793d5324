/**
 * The `bridge` program of iproute2 (bridge/bridge.c, fdb.c, link.c): `bridge fdb` show, add,
 * append, replace, del; `bridge link` show and set.
 *
 *   33:33:00:00:00:01 dev br0 self permanent
 *   02:42:0a:00:00:02 dev veth1 master br0
 *   00:00:00:00:00:00 dev vxlan0 dst 192.168.50.12 self permanent
 *   5: veth1@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2
 *
 * (every field ends with a space; a learnt entry's empty state leaves "master br0 " before the
 * newline; `dev X` filters drop the "dev X " part). `bridge fdb add` without self/master means
 * self, and without a state means permanent (fdb_modify's "Assume self", "Assume permanent").
 * The bridge's dump carries no link-netnsid, so `bridge link` names a peer by the index alone.
 *
 * Exit statuses as bridge.c: its commands return -1 on every failure, so 255 (kernel refusals
 * and unknown devices alike).
 */
import { formatIpv4, parseIpv4, type Ipv4 } from '../../wire';
import type { FdbRow, Machine, Netdev, NetworkNamespace } from '../../stack';
import type { Program, ProgramEnv, ProgramIo } from '../program';
import { UsageError } from '../usage-error';
import { Args, duparg, duparg2, formatMac, invarg, matches, parseLladdr } from './command-line';
import { CommandFailed, EXIT_STATUS, exitingProgram, kernelCall } from './kernel-errors';
import { flagsText, nameAndLinkNoNetnsid } from './link-format';

const BRIDGE_STATUS = EXIT_STATUS.bridge;

interface BridgeContext {
  readonly machine: Machine;
  readonly ns: NetworkNamespace;
  readonly io: ProgramIo;
  readonly stats: number;
}

export const bridgeProgram: Program<NetworkNamespace, Machine> = exitingProgram(runBridge);

function runBridge(words: readonly string[], env: ProgramEnv<NetworkNamespace, Machine>, io: ProgramIo): number {
  let i = 0;
  let stats = 0;
  let ns = env.ns;
  const machine = env.machine;
  while (i < words.length) {
    let opt = words[i]!;
    if (opt === '--') {
      i++;
      break;
    }
    if (!opt.startsWith('-')) break;
    if (opt.startsWith('--')) opt = opt.slice(1);
    if (matches(opt, '-help')) throw new UsageError('cnmlab: "bridge -help" is not emulated (see bridge(8))');
    else if (matches(opt, '-stats') || matches(opt, '-statistics')) stats++;
    else if (opt === '-4' || opt === '-6') {
      // Families filter nothing the emulation shows.
    } else if (matches(opt, '-netns')) {
      i++;
      if (i >= words.length) throw new UsageError('Command line is not complete. Try option "help"');
      const name = words[i]!;
      const target = machine.namespace(name);
      if (target === undefined || !machine.isListed(target)) throw new CommandFailed(`Cannot open network namespace "${name}": No such file or directory\n`, 255);
      ns = target;
    } else if (matches(opt, '-color')) {
      // No terminal, no colours.
    } else if (matches(opt, '-Version') || matches(opt, '-details') || matches(opt, '-oneline') || matches(opt, '-timestamp')
      || matches(opt, '-family') || matches(opt, '-compressvlans') || matches(opt, '-force') || matches(opt, '-json')
      || matches(opt, '-pretty') || matches(opt, '-batch')) {
      throw new UsageError(`cnmlab: option "${opt}" is not emulated`);
    } else {
      throw new UsageError(`Option "${opt}" is unknown, try "bridge help".`);
    }
    i++;
  }
  if (i >= words.length) throw new UsageError('cnmlab: "bridge" without an object prints its usage, which is not emulated (see bridge(8))');
  const ctx: BridgeContext = { machine, ns, io, stats };
  const object = words[i]!;
  const args = new Args(words.slice(i + 1));
  if (matches(object, 'link')) return doLink(ctx, args);
  if (matches(object, 'fdb')) return doFdb(ctx, args);
  if (matches(object, 'mdb') || matches(object, 'vlan') || matches(object, 'monitor') || matches(object, 'vni')) {
    throw new UsageError(`cnmlab: "bridge ${object}" is not emulated`);
  }
  if (matches(object, 'help')) throw new UsageError('cnmlab: "bridge help" is not emulated (see bridge(8))');
  throw new UsageError(`Object "${object}" is unknown, try "bridge help".`);
}

function nodev(name: string): never {
  throw new CommandFailed(`Cannot find device "${name}"\n`, BRIDGE_STATUS);
}

// ---------------------------------------------------------------------------------------
// bridge fdb

function doFdb(ctx: BridgeContext, args: Args): number {
  if (args.done) return fdbShow(ctx, args);
  const w = args.word;
  args.advance();
  if (matches(w, 'add')) return fdbModify(ctx, args, 'add');
  if (matches(w, 'append')) return fdbModify(ctx, args, 'append');
  if (matches(w, 'replace')) return fdbModify(ctx, args, 'replace');
  if (matches(w, 'delete')) return fdbModify(ctx, args, 'delete');
  if (matches(w, 'show') || matches(w, 'lst') || matches(w, 'list')) return fdbShow(ctx, args);
  if (matches(w, 'get') || matches(w, 'flush')) throw new UsageError(`cnmlab: "bridge fdb ${w}" is not emulated`);
  if (matches(w, 'help')) throw new UsageError('cnmlab: "bridge fdb help" is not emulated (see bridge(8))');
  throw new UsageError(`Command "${w}" is unknown, try "bridge fdb help".`);
}

/** state_n2a. */
function stateText(row: FdbRow): string {
  switch (row.state) {
    case 'permanent':
      return 'permanent';
    case 'static':
      return 'static';
    case 'reachable':
      return '';
  }
}

function fdbShow(ctx: BridgeContext, args: Args): number {
  let filterDev: string | undefined;
  let br: string | undefined;
  let states: Set<FdbRow['state']> | undefined;
  while (!args.done) {
    const w = args.word;
    if (w === 'brport' || w === 'dev') filterDev = args.value();
    else if (w === 'br') br = args.value();
    else if (w === 'vlan') {
      args.value();
      throw new UsageError('cnmlab: VLAN-aware bridges are not emulated ("bridge fdb show vlan")');
    } else if (w === 'state') {
      const v = args.value();
      states ??= new Set();
      if (matches(v, 'permanent')) states.add('permanent');
      else if (matches(v, 'static') || matches(v, 'temp')) states.add('static');
      else if (matches(v, 'reachable') || matches(v, 'dynamic')) states.add('reachable');
      else if (v === 'all') for (const s of ['permanent', 'static', 'reachable'] as const) states.add(s);
      else if (!matches(v, 'stale')) invarg('invalid state', v);
    } else if (matches(w, 'help')) {
      throw new UsageError('cnmlab: "bridge fdb help" is not emulated (see bridge(8))');
    }
    args.advance();
  }
  if (ctx.stats > 0) throw new UsageError('cnmlab: "bridge -s fdb" is not emulated');
  const m = ctx.machine;
  let bridge: Netdev | undefined;
  if (br !== undefined) {
    bridge = m.link(ctx.ns, br);
    if (bridge === undefined) throw new CommandFailed(`Cannot find bridge device "${br}"\n`, BRIDGE_STATUS);
  }
  let dev: Netdev | undefined;
  if (filterDev !== undefined) {
    dev = m.link(ctx.ns, filterDev);
    if (dev === undefined) nodev(filterDev);
  }
  let out = '';
  for (const row of m.fdb(ctx.ns)) {
    if (dev !== undefined && row.dev !== dev) continue;
    if (bridge !== undefined && row.dev !== bridge && row.dev.master !== bridge) continue;
    if (states !== undefined && !states.has(row.state)) continue;
    let s = `${formatMac(row.mac)} `;
    if (dev === undefined) s += `dev ${row.dev.name} `;
    if (row.dst !== undefined) s += `dst ${formatIpv4(row.dst)} `;
    if (row.self) s += 'self ';
    if (row.master !== undefined) s += `master ${row.master.name} `;
    out += `${s}${stateText(row)}\n`;
  }
  ctx.io.stdout(out);
  return 0;
}

function fdbModify(ctx: BridgeContext, args: Args, cmd: 'add' | 'append' | 'replace' | 'delete'): number {
  let d: string | undefined;
  let addr: string | undefined;
  let dst: Ipv4 | undefined;
  let self = false;
  let master = false;
  // fdb_modify: the state starts as NUD_NOARP; local/permanent add PERMANENT, static/temp add
  // REACHABLE, dynamic is REACHABLE alone.
  let permanent = false;
  let reachable = false;
  let noarp = true;
  while (!args.done) {
    const w = args.word;
    if (w === 'dev') d = args.value();
    else if (w === 'dst') {
      const v = args.value();
      if (dst !== undefined) duparg2('dst', v);
      try {
        dst = parseIpv4(v);
      } catch {
        throw new UsageError(`Error: any valid address is expected rather than "${v}".`);
      }
    } else if (w === 'port' || w === 'vni' || w === 'via' || w === 'src_vni' || w === 'nhid' || matches(w, 'vlan')) {
      args.value();
      throw new UsageError(`cnmlab: "bridge fdb … ${w}" is not emulated`);
    } else if (w === 'self') self = true;
    else if (matches(w, 'master')) master = true;
    else if (matches(w, 'router') || matches(w, 'use') || matches(w, 'extern_learn') || matches(w, 'sticky')
      || w === 'norouter' || w === 'activity_notify' || w === 'inactive') {
      throw new UsageError(`cnmlab: "bridge fdb … ${w}" is not emulated`);
    } else if (matches(w, 'local') || matches(w, 'permanent')) permanent = true;
    else if (matches(w, 'temp') || matches(w, 'static')) reachable = true;
    else if (matches(w, 'dynamic')) {
      reachable = true;
      noarp = false;
    } else {
      let v = w;
      if (w === 'to') v = args.value();
      if (matches(v, 'help')) throw new UsageError('cnmlab: "bridge fdb help" is not emulated (see bridge(8))');
      if (addr !== undefined) duparg2('to', v);
      addr = v;
    }
    args.advance();
  }
  if (d === undefined || addr === undefined) throw new UsageError('Device and address are required arguments.');
  // "Assume self", "Assume permanent".
  if (!self && !master) self = true;
  if (!permanent && !reachable) permanent = true;
  const mac = parseLladdr(addr);
  if (mac === undefined) throw new UsageError(`Invalid mac address ${addr}`);
  const m = ctx.machine;
  const dev = m.link(ctx.ns, d);
  if (dev === undefined) nodev(d);
  if (dev.kind === 'loopback') throw new CommandFailed(`Error: FDB ${cmd === 'delete' ? 'delete' : 'add'} only supported for Ethernet devices.\n`, BRIDGE_STATUS);
  const state = permanent ? 'permanent' as const : noarp ? 'static' as const : 'dynamic' as const;
  kernelCall(BRIDGE_STATUS, () => {
    let done = false;
    // rtnl_fdb_add/del: the master's table when asked and the device is a port, then its own.
    if (master && dev.master !== undefined) {
      if (cmd === 'delete') m.fdbDelete(dev, mac, 'master');
      else m.fdbAdd(dev, mac, { target: 'master', state, mode: cmd, ...(dst === undefined ? {} : { dst }) });
      done = true;
    }
    if (self) {
      if (cmd === 'delete') m.fdbDelete(dev, mac, 'self', dst);
      else m.fdbAdd(dev, mac, { target: 'self', state, mode: cmd, ...(dst === undefined ? {} : { dst }) });
      done = true;
    }
    if (!done) throw new CommandFailed('RTNETLINK answers: Invalid argument\n', BRIDGE_STATUS);
  });
  return 0;
}

// ---------------------------------------------------------------------------------------
// bridge link

function doLink(ctx: BridgeContext, args: Args): number {
  if (args.done) return linkShow(ctx, args);
  const w = args.word;
  args.advance();
  if (matches(w, 'set') || matches(w, 'change')) return linkSet(ctx, args);
  if (matches(w, 'show') || matches(w, 'lst') || matches(w, 'list')) return linkShow(ctx, args);
  if (matches(w, 'help')) throw new UsageError('cnmlab: "bridge link help" is not emulated (see bridge(8))');
  throw new UsageError(`Command "${w}" is unknown, try "bridge link help".`);
}

function linkShow(ctx: BridgeContext, args: Args): number {
  let filterDev: string | undefined;
  while (!args.done) {
    if (args.word === 'dev') {
      const v = args.value();
      if (filterDev !== undefined) duparg('dev', v);
      filterDev = v;
    }
    args.advance();
  }
  const m = ctx.machine;
  let only: Netdev | undefined;
  if (filterDev !== undefined) {
    only = m.link(ctx.ns, filterDev);
    if (only === undefined) nodev(filterDev);
  }
  let out = '';
  for (const dev of m.links(ctx.ns)) {
    if (only !== undefined && dev !== only) continue;
    const st = m.bridgePortState(dev);
    if (st === undefined) continue;
    const nl = nameAndLinkNoNetnsid(m, ctx.ns, dev);
    out += `${dev.ifindex}: ${nl.text}: ${flagsText(dev, nl.mdown)} mtu ${dev.mtu} master ${dev.master!.name} state ${st.state} priority ${st.priority} cost ${st.cost} \n`;
  }
  ctx.io.stdout(out);
  return 0;
}

function linkSet(ctx: BridgeContext, args: Args): number {
  let d: string | undefined;
  const flags: ['hairpin' | 'learning' | 'flood', boolean][] = [];
  while (!args.done) {
    const w = args.word;
    if (w === 'dev') d = args.value();
    else if (w === 'hairpin' || w === 'learning' || w === 'flood') {
      const v = args.value();
      if (v !== 'on' && v !== 'off') throw new UsageError(`Error: argument of "${w}" must be "on" or "off"`);
      flags.push([w, v === 'on']);
    } else if (['guard', 'fastleave', 'root_block', 'learning_sync', 'mcast_flood', 'cost', 'priority', 'state', 'hwmode',
      'neigh_suppress', 'vlan_tunnel', 'isolated', 'backup_port', 'mcast_to_unicast', 'bcast_flood', 'locked', 'mab'].includes(w)) {
      throw new UsageError(`cnmlab: "bridge link set … ${w}" is not emulated`);
    } else if (w === 'self' || w === 'master' || w === 'nobackup_port') {
      if (w !== 'master') throw new UsageError(`cnmlab: "bridge link set … ${w}" is not emulated`);
    } else {
      throw new UsageError(`cnmlab: "bridge link set … ${w}": see bridge(8)`);
    }
    args.advance();
  }
  if (d === undefined) throw new CommandFailed('Device is a required argument.\n', BRIDGE_STATUS);
  const dev = ctx.machine.link(ctx.ns, d);
  if (dev === undefined) throw new CommandFailed(`Cannot find bridge device "${d}"\n`, BRIDGE_STATUS);
  kernelCall(BRIDGE_STATUS, () => {
    for (const [flag, on] of flags) ctx.machine.setBridgePortFlag(dev, flag, on);
  });
  return 0;
}
