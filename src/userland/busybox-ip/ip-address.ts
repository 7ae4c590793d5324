/**
 * busybox's `ip addr` (networking/libiproute/ipaddress.c do_ipaddr, ipaddr_modify): show
 * (address-list.ts) and the changes add, change, replace and delete, which a container's
 * kernel refuses (applet-context.ts) once the command line has been read and the device found.
 *
 * Commands are matched by prefix among add, change, chg, replace, delete, list, show, lst,
 * flush (so `ip a s` is show, `ip a l` is ambiguous); anything else is "invalid argument 'X' to
 * 'ip'".
 */
import { UsageError } from '../usage-error';
import { type AppletArgs, duparg, duparg2, inetAddress, inetPrefix, invalidArgument, keywordIndex, scopeNumber, type InetPrefix } from './applet-args';
import { changeRefused, deviceOrDie, type AppletContext } from './applet-context';
import { flushNotEmulated, listAddresses } from './address-list';

/** busybox's exit status for `ip addr`'s fatal errors (xfunc_error_retval's default). */
const ADDR_DIE_STATUS = 1;

export function ipAddress(ctx: AppletContext, args: AppletArgs): number {
  if (args.done) return listAddresses(ctx, args, 'address', ADDR_DIE_STATUS);
  const commands = ['add', 'change', 'chg', 'replace', 'delete', 'list', 'show', 'lst', 'flush'];
  const cmd = keywordIndex(commands, args.word);
  if (cmd < 0) invalidArgument(args.word, 'ip');
  args.advance();
  if (cmd <= 4) return modify(ctx, args);
  if (cmd === 8) return flushNotEmulated('addr');
  return listAddresses(ctx, args, 'address', ADDR_DIE_STATUS);
}

/** ipaddr_modify: reads the request as busybox does, then sends it (refused). */
function modify(ctx: AppletContext, args: AppletArgs): number {
  const options = ['peer', 'remote', 'broadcast', 'brd', 'anycast', 'scope', 'dev', 'label', 'local'];
  let dev: string | undefined;
  let label: string | undefined;
  let local: InetPrefix | undefined;
  let peer: InetPrefix | undefined;
  let brdGiven = false;
  let anyGiven = false;
  while (!args.done) {
    const key = options.indexOf(args.word);
    // "local" is assumed when no keyword matched.
    const v = key >= 0 ? args.value() : args.word;
    if (key === 0 || key === 1) {
      if (peer !== undefined) duparg('peer', v);
      peer = inetPrefix(v, ctx.family);
    } else if (key === 2 || key === 3) {
      if (brdGiven) duparg('broadcast', v);
      if (v !== '+' && v !== '-') inetAddress(v, ctx.family);
      brdGiven = true;
    } else if (key === 4) {
      if (anyGiven) duparg('anycast', v);
      inetAddress(v, ctx.family);
      anyGiven = true;
    } else if (key === 5) {
      if (scopeNumber(v) === undefined) invalidArgument(v, 'scope');
    } else if (key === 6) {
      dev = v;
    } else if (key === 7) {
      label = v;
    } else {
      if (local !== undefined) duparg2('local', v);
      local = inetPrefix(v, ctx.family);
    }
    args.advance();
  }
  if (dev === undefined) throw new UsageError('need "dev IFACE"');
  if (label !== undefined && !label.startsWith(dev)) throw new UsageError(`"dev" (${dev}) must match "label" (${label})`);
  deviceOrDie(ctx, dev, ADDR_DIE_STATUS);
  return changeRefused();
}
