/**
 * libnetwork netutils helpers the drivers share: MAC addresses and random interface names,
 * drawn from a seeded stream instead of crypto/rand.
 */
import { macFromIpv4 } from '../../wire';
import type { Ipv4, Mac } from '../../wire';
import type { Rng } from '../../sim';
import type { EngineProfile } from '../engine-profile';

/** LN vethPrefix / vethLen: host-side and temporary container-side veth names are "veth" + 7 hex. */
export const VETH_PREFIX = 'veth';
export const VETH_RANDOM_CHARS = 7;

/**
 * GenerateRandomMAC. v28+ (bc130f367d): 6 random bytes, multicast bit cleared, locally
 * administered bit set. ≤ v27: 02:42 followed by 4 random bytes (what docker0/br-* got).
 */
export function generateRandomMac(rng: Rng, profile: EngineProfile): Mac {
  const b = rng.bytes(6);
  if (profile.containerMac === 'ip-derived') {
    b[0] = 0x02;
    b[1] = 0x42;
  } else {
    b[0] = (b[0]! & 0xfe) | 0x02;
  }
  let mac = 0;
  for (const x of b) mac = mac * 256 + x;
  return mac;
}

/**
 * The bridge/macvlan driver's electMacAddress: the user's --mac-address if given, else
 * 02:42 + the IPv4 bytes (≤ v27) or a random MAC (v28+).
 */
export function electContainerMac(profile: EngineProfile, address: Ipv4, rng: Rng, userMac?: Mac): Mac {
  if (userMac !== undefined) return userMac;
  return profile.containerMac === 'ip-derived' ? macFromIpv4(address) : generateRandomMac(rng, profile);
}

/**
 * netutils.GenerateIfaceName: `prefix` + `chars` random hex digits, retried 3 times while
 * `exists` says the name is taken; undefined if all three are ("could not generate interface name").
 */
export function generateIfaceName(
  rng: Rng,
  exists: (name: string) => boolean,
  prefix = VETH_PREFIX,
  chars = VETH_RANDOM_CHARS,
): string | undefined {
  for (let i = 0; i < 3; i++) {
    const name = prefix + rng.hex(chars);
    if (!exists(name)) return name;
  }
  return undefined;
}
