/**
 * MAC addresses are 48-bit integers inside cnmlab (exact in a double, fast as Map keys) and
 * strings only at the edges: "02:42:ac:11:00:02", lowercase, as iproute2 and Docker print them.
 */
export type Mac = number;

export const MAC_BROADCAST: Mac = 0xffff_ffff_ffff;
export const MAC_ZERO: Mac = 0;

/** IEEE 802: the I/G bit, the least significant bit of the first octet, marks group addresses. */
export function isMulticastMac(mac: Mac): boolean {
  return Math.floor(mac / 0x100_0000_0000) % 2 === 1;
}
export function isBroadcastMac(mac: Mac): boolean {
  return mac === MAC_BROADCAST;
}
/** The kernel's is_valid_ether_addr(): not multicast (so not broadcast) and not all zeros. */
export function isValidUnicastMac(mac: Mac): boolean {
  return mac !== 0 && !isMulticastMac(mac);
}
/** 01:80:c2:00:00:00 .. 01:80:c2:00:00:0f: IEEE 802.1D link-local group addresses. */
export function isLinkLocalGroupMac(mac: Mac): boolean {
  return Math.floor(mac / 16) === 0x0180_c200_000;
}

export function parseMac(text: string): Mac {
  const m = /^([0-9a-fA-F]{1,2})[:-]([0-9a-fA-F]{1,2})[:-]([0-9a-fA-F]{1,2})[:-]([0-9a-fA-F]{1,2})[:-]([0-9a-fA-F]{1,2})[:-]([0-9a-fA-F]{1,2})$/.exec(text.trim());
  if (!m) throw new Error(`invalid MAC address: ${text}`);
  let v = 0;
  for (let i = 1; i <= 6; i++) v = v * 256 + parseInt(m[i]!, 16);
  return v;
}
export function formatMac(mac: Mac): string {
  let s = '';
  for (let i = 5; i >= 0; i--) {
    const octet = Math.floor(mac / 2 ** (8 * i)) % 256;
    s += (i < 5 ? ':' : '') + octet.toString(16).padStart(2, '0');
  }
  return s;
}
/** Docker ≤ 27 (libnetwork genMAC): 02:42 followed by the four IPv4 address bytes. */
export function macFromIpv4(ip: number): Mac {
  return 0x0242 * 0x1_0000_0000 + (ip >>> 0);
}
