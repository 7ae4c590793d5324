/**
 * `brctl` of bridge-utils (brctl/brctl_cmd.c, brctl_disp.c): show, showmacs, addbr, delbr,
 * addif, delif.
 *
 *   bridge name	bridge id		STP enabled	interfaces
 *   br0		8000.56001227eb16	no		veth1
 *   							veth2
 *
 * Bridges and their interfaces are listed in alphabetical order (bridge-utils scans
 * /sys/class/net and brif/ with alphasort); the bridge id is the priority (0x8000) and the
 * bridge's MAC; further interfaces go on lines of their own after seven tabs. `showmacs` lists
 * the forwarding table sorted by MAC, without the bridge's own addresses, ageing timers as
 * "%4i.%.2i" seconds.
 */
import type { Machine, Netdev, NetworkNamespace } from '../../stack';
import type { Program, ProgramIo } from '../program';
import { UsageError } from '../usage-error';
import { formatMac } from './command-line';

export const brctlProgram: Program<NetworkNamespace, Machine> = (argv, env, io, exit) => {
  exit(runBrctl(argv.slice(1), env.machine, env.ns, io));
};

/** Commands and how many arguments each needs (brctl_cmd.c's table). */
const COMMANDS: Readonly<Record<string, number>> = {
  addbr: 1, delbr: 1, addif: 2, delif: 2, show: 0, showmacs: 1,
  hairpin: 3, setageing: 2, setbridgeprio: 2, setfd: 2, sethello: 2, setmaxage: 2, setpathcost: 3, setportprio: 3,
  showstp: 1, stp: 2, setgcint: 2,
};

function runBrctl(words: readonly string[], machine: Machine, ns: NetworkNamespace, io: ProgramIo): number {
  if (words.length === 0) throw new UsageError('cnmlab: "brctl" without a command prints its usage, which is not emulated');
  const cmd = words[0]!;
  if (cmd === '-V' || cmd === '--version') throw new UsageError('cnmlab: "brctl --version" is not emulated');
  const need = COMMANDS[cmd];
  if (need === undefined) throw new UsageError(`never heard of command [${cmd}]`);
  const args = words.slice(1);
  if (args.length < need) throw new UsageError(`Incorrect number of arguments for command`);
  const bridges = (): Netdev[] => machine.links(ns).filter((d) => d.kind === 'bridge').sort((a, b) => compareNames(a.name, b.name));
  switch (cmd) {
    case 'show': {
      let out = 'bridge name\tbridge id\t\tSTP enabled\tinterfaces\n';
      const list = args.length === 0 ? bridges().map((b) => b.name) : args;
      for (const name of list) {
        out += `${name}\t\t`;
        const br = machine.link(ns, name);
        if (br === undefined || br.kind !== 'bridge') {
          io.stdout(out);
          out = '';
          io.stderr("can't get info No such device\n");
          continue;
        }
        out += `8000.${formatMac(br.mac).replace(/:/g, '')}\tno\t\t`;
        const ports = machine.bridgePorts(br).map((p) => p.name).sort(compareNames);
        out += ports.join('\n\t\t\t\t\t\t\t');
        out += '\n';
      }
      io.stdout(out);
      return 0;
    }
    case 'showmacs': {
      const br = machine.link(ns, args[0]!);
      if (br === undefined || br.kind !== 'bridge') {
        io.stderr('read of forward table failed: No such device\n');
        return 1;
      }
      const rows = machine.fdb(ns).filter((r) => r.master === br && r.dev !== br && r.portNo !== undefined)
        .sort((a, b) => a.mac - b.mac);
      let out = 'port no\tmac addr\t\tis local?\tageing timer\n';
      for (const r of rows) {
        const centis = r.isLocal ? 0 : Math.floor(r.ageNs / 1e7);
        const timer = `${String(Math.floor(centis / 100)).padStart(4)}.${String(centis % 100).padStart(2, '0')}`;
        out += `${String(r.portNo).padStart(3)}\t${formatMac(r.mac)}\t${r.isLocal ? 'yes' : 'no'}\t\t${timer}\n`;
      }
      io.stdout(out);
      return 0;
    }
    case 'addbr': {
      const name = args[0]!;
      if (machine.link(ns, name) !== undefined) {
        io.stderr(`device ${name} already exists; can't create bridge with the same name\n`);
        return 1;
      }
      machine.createBridge(name, { ns });
      return 0;
    }
    case 'delbr': {
      const name = args[0]!;
      const br = machine.link(ns, name);
      if (br === undefined) {
        io.stderr(`bridge ${name} doesn't exist; can't delete it\n`);
        return 1;
      }
      if (br.kind !== 'bridge') {
        io.stderr(`device ${name} is not a bridge; can't delete it\n`);
        return 1;
      }
      if (br.up) {
        io.stderr(`bridge ${name} is still up; can't delete it\n`);
        return 1;
      }
      machine.deleteLink(br);
      return 0;
    }
    case 'addif':
    case 'delif': {
      const br = machine.link(ns, args[0]!);
      if (br === undefined || br.kind !== 'bridge') {
        io.stderr(`bridge ${args[0]} does not exist!\n`);
        return 1;
      }
      let status = 0;
      for (const ifname of args.slice(1)) {
        const dev = machine.link(ns, ifname);
        if (dev === undefined) {
          io.stderr(`interface ${ifname} does not exist!\n`);
          return 1;
        }
        if (cmd === 'addif') {
          if (dev.master !== undefined) {
            io.stderr(`device ${ifname} is already a member of a bridge; can't add it to bridge ${br.name}.\n`);
            status = 1;
            continue;
          }
          if (dev.kind === 'bridge') {
            io.stderr(`device ${ifname} is a bridge device itself; can't add it to bridge ${br.name}.\n`);
            status = 1;
            continue;
          }
          machine.setMaster(dev, br);
        } else {
          if (dev.master !== br) {
            io.stderr(`device ${ifname} is not a slave of ${br.name}\n`);
            status = 1;
            continue;
          }
          machine.setNomaster(dev);
        }
      }
      return status;
    }
    default:
      throw new UsageError(`cnmlab: "brctl ${cmd}" is not emulated`);
  }
}

/** alphasort in the C locale: byte order. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
