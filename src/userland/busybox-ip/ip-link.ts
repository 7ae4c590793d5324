/**
 * busybox's `ip link` (networking/libiproute/iplink.c do_iplink): show (address-list.ts with
 * the link family), and add and delete, which a container's kernel refuses
 * (applet-context.ts) once the command line has been read and the devices found.
 *
 * do_iplink sets xfunc_error_retval to 2, so every fatal error of `ip link` ("can't find
 * device 'X'") exits 2. `ip link delete` without a device exits 1 without a word.
 *
 * `ip link set` is not emulated: its changes go through ioctls (SIOCSIFFLAGS, SIOCSIFMTU, …)
 * whose failure busybox reports by the ioctl's name or number depending on how it was built
 * (CONFIG_IOCTL_HEX2STR_ERROR), which cnmlab cannot tell for the images' busybox.
 */
import { UsageError } from '../usage-error';
import { type AppletArgs, duparg, invalidArgument, keywordIndex, unsignedArg } from './applet-args';
import { changeRefused, deviceOrDie, type AppletContext } from './applet-context';
import { listAddresses } from './address-list';

/** busybox's exit status for `ip link`'s fatal errors (xfunc_error_retval = 2). */
const LINK_DIE_STATUS = 2;

export function ipLink(ctx: AppletContext, args: AppletArgs): number {
  if (args.done) return listAddresses(ctx, args, 'link', LINK_DIE_STATUS);
  const key = keywordIndex(['add', 'delete', 'set', 'show', 'lst', 'list'], args.word);
  if (key < 0) invalidArgument(args.word, 'ip');
  args.advance();
  if (key <= 1) return addOrDelete(ctx, args, key === 0 ? 'add' : 'delete');
  if (key === 2) throw new UsageError('cnmlab: busybox\'s "ip link set" is not emulated (see ip-link.ts)');
  return listAddresses(ctx, args, 'link', LINK_DIE_STATUS);
}

/** ll_addr_a2n: colon-separated hex bytes. */
function checkLinkAddress(text: string): void {
  for (const part of text.split(':')) {
    const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(part);
    if (m === null || parseInt(m[1]!, 16) > 255) throw new UsageError(`"${part}" is invalid lladdr`);
  }
}

/** vlan_parse_opt and vrf_parse_opt: the arguments after `type vlan|vrf`. */
function checkTypeArguments(type: string, args: AppletArgs): void {
  if (type === 'vlan') {
    const keywords = ['id', 'protocol', 'reorder_hdr', 'gvrp', 'mvrp', 'loose_binding'];
    while (!args.done) {
      const k = keywordIndex(keywords, args.word);
      if (k < 0) invalidArgument(args.word, 'type vlan');
      const v = args.value();
      if (k === 0 && unsignedArg(v, 'id') > 0xffff) invalidArgument(v, 'id');
      args.advance();
    }
  } else if (type === 'vrf' && !args.done) {
    if (args.word !== 'table') invalidArgument(args.word, 'type vrf');
    unsignedArg(args.value(), 'table');
  }
}

/** do_add_or_delete: reads the request as busybox does, then sends it (refused). */
function addOrDelete(ctx: AppletContext, args: AppletArgs, cmd: 'add' | 'delete'): number {
  const keywords = ['link', 'name', 'type', 'dev', 'address'];
  let link: string | undefined;
  let name: string | undefined;
  let dev: string | undefined;
  let type: string | undefined;
  while (!args.done) {
    const key = keywordIndex(keywords, args.word);
    if (key === 2) {
      type = args.value();
      args.advance();
      break;
    }
    if (key === 0) link = args.value();
    else if (key === 1) name = args.value();
    else if (key === 4) checkLinkAddress(args.value());
    else {
      if (key === 3) {
        if (dev !== undefined) duparg(args.word, 'dev');
        args.value();
      }
      dev = args.word;
    }
    args.advance();
  }
  if (type !== undefined) checkTypeArguments(type, args);
  if (cmd === 'delete') {
    // "Need a device to delete": busybox returns 1 and says nothing.
    if (dev === undefined) return 1;
    deviceOrDie(ctx, dev, LINK_DIE_STATUS);
  } else {
    name ??= dev;
    if (link !== undefined) deviceOrDie(ctx, link, LINK_DIE_STATUS);
  }
  if (name !== undefined && (name.length < 1 || name.length > 15)) invalidArgument(name, 'name');
  return changeRefused();
}
