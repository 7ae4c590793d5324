/**
 * How captured links are named (SCENARIOS.md "Captures"; the README's "Capture files" explains
 * the same rules to users).
 *
 * Every link has two ends, each named `<machine>:<ifname>` like a device's port
 * ("node1:eth0", "docker-host:veth1a2b3c4"). A capture file is named after its link:
 *
 *   - a LAN port (the cable between a NIC and its LAN's switch): the switch's end is named
 *     `<lan>:<host>.<ifname>` (the switch port that serves that NIC), and the file is named
 *     after that end alone: `lan1.node1.eth0.pcap`;
 *   - a device's own side of itself (a bridge and the bridge's interface in its host, an end
 *     named `X(role)` facing an end named `X`): the file is `X`, like `tcpdump -i br0`:
 *     `node1.br0.pcap`;
 *   - any other link (a veth pair): both ends, `<end-a>--<end-b>.pcap`:
 *     `docker-host.veth1a2b3c4--container1.eth0.pcap`.
 *
 * In file names ':' becomes '.', so that names work on every file system and need no quoting
 * in a shell; any other character outside letters, digits, '.', '_', '-' and '@' becomes '_'.
 * Two links that would get the same file name (a name containing "--" can make that happen)
 * are told apart by a suffix, "-2", "-3", in the order the links appear.
 *
 * In `all.pcapng` each link is one interface, named after the link's second end (the NIC of a
 * LAN port: "node1:eth0"; the container side of a Docker veth pair: "container1:eth0").
 */

/** The separator between the two end names in a link's name (as devices' Link names it). */
export const LINK_NAME_SEPARATOR = '--';

/** Turns an end name or link name into a file-name-safe stem. */
export function fileStem(name: string): string {
  return name.replace(/:/g, '.').replace(/[^A-Za-z0-9._@-]/g, '_');
}

/**
 * The file stem of a link (without ".pcap"). `lanPort` says the link is a LAN port whose
 * first end is the switch's.
 */
export function linkFileStem(ends: readonly [string, string], lanPort: boolean): string {
  const [a, b] = ends;
  if (lanPort) return fileStem(a);
  if (a === b) return fileStem(a); // a loopback: both ends are the same interface ("c1:lo" → c1.lo)
  const self = selfLinkName(a, b);
  if (self !== undefined) return fileStem(self);
  return `${fileStem(a)}${LINK_NAME_SEPARATOR}${fileStem(b)}`;
}

/** "X(bridge)" facing "X" (either way round): the device's own side, named X. */
function selfLinkName(a: string, b: string): string | undefined {
  const own = (outer: string, inner: string): boolean =>
    outer.length > inner.length + 2 && outer.startsWith(`${inner}(`) && outer.endsWith(')');
  if (own(a, b)) return b;
  if (own(b, a)) return a;
  return undefined;
}

/**
 * The two ends of a link known only by its name ("a--b") and by the end a frame arrived at.
 * Names may themselves contain "--", so the known end decides where the split is.
 */
export function endsFromLinkName(linkName: string, knownEnd: string | undefined): [string, string] {
  if (knownEnd !== undefined) {
    if (linkName.startsWith(knownEnd + LINK_NAME_SEPARATOR)) return [knownEnd, linkName.slice(knownEnd.length + LINK_NAME_SEPARATOR.length)];
    if (linkName.endsWith(LINK_NAME_SEPARATOR + knownEnd)) return [linkName.slice(0, linkName.length - knownEnd.length - LINK_NAME_SEPARATOR.length), knownEnd];
  }
  const at = linkName.indexOf(LINK_NAME_SEPARATOR);
  if (at < 0) return [linkName, linkName];
  return [linkName.slice(0, at), linkName.slice(at + LINK_NAME_SEPARATOR.length)];
}
