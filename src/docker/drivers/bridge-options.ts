/**
 * The bridge driver's per-network configuration, parsed from the network's driver options the
 * way libnetwork's parseNetworkGenericOptions / networkConfiguration.fromLabels parse them
 * (docker-facts §3.2, table "Options").
 */
import { DaemonError } from '../daemon-error';

/** The option names the bridge driver reads (LN drivers/bridge/labels.go, netlabel). */
export const BRIDGE_OPTION = {
  bridgeName: 'com.docker.network.bridge.name',
  enableIcc: 'com.docker.network.bridge.enable_icc',
  enableIpMasquerade: 'com.docker.network.bridge.enable_ip_masquerade',
  hostBindingIpv4: 'com.docker.network.bridge.host_binding_ipv4',
  defaultBridge: 'com.docker.network.bridge.default_bridge',
  inhibitIpv4: 'com.docker.network.bridge.inhibit_ipv4',
  mtu: 'com.docker.network.driver.mtu',
  containerIfacePrefix: 'com.docker.network.container_iface_prefix',
} as const;

/**
 * BRIDGE_NETWORK_DEFAULTS: what a user network gets without options (parseNetworkGenericOptions
 * sets EnableICC and EnableIPMasquerade to true; the container side is named eth0, eth1, …;
 * MTU 0 leaves the kernel's 1500).
 */
export const BRIDGE_NETWORK_DEFAULTS = {
  enableIcc: true,
  enableIpMasquerade: true,
  mtu: 0,
  containerIfacePrefix: 'eth',
  /** `br-` + the first 12 hex digits of the network ID (bridge_linux.go parseNetworkOptions). */
  bridgeNamePrefix: 'br-',
} as const;

export interface BridgeNetworkConfig {
  readonly bridgeName: string;
  readonly enableIcc: boolean;
  readonly enableIpMasquerade: boolean;
  /** 0 = not set. */
  readonly mtu: number;
  readonly defaultBridge: boolean;
  readonly inhibitIpv4: boolean;
  readonly containerIfacePrefix: string;
  readonly internal: boolean;
}

/** strconv.ParseBool. */
function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

function boolOption(options: Readonly<Record<string, string>>, key: string, fallback: boolean): boolean {
  const v = options[key];
  if (v === undefined) return fallback;
  const b = parseGoBool(v);
  // parseErr in LN bridge.go: a BadRequest naming the label.
  if (b === undefined) throw new DaemonError('invalidParameter', `failed to parse ${key} value: strconv.ParseBool: parsing "${v}": invalid syntax`);
  return b;
}

/** The configuration of network `networkId` from its options (throws DaemonError on bad values). */
export function parseBridgeNetworkConfig(
  networkId: string,
  options: Readonly<Record<string, string>>,
  internal: boolean,
): BridgeNetworkConfig {
  let mtu: number = BRIDGE_NETWORK_DEFAULTS.mtu;
  const mtuText = options[BRIDGE_OPTION.mtu];
  if (mtuText !== undefined) {
    if (!/^[+-]?\d+$/.test(mtuText)) {
      throw new DaemonError('invalidParameter', `failed to parse ${BRIDGE_OPTION.mtu} value: strconv.Atoi: parsing "${mtuText}": invalid syntax`);
    }
    mtu = Number(mtuText);
    if (mtu < 0) throw new DaemonError('invalidParameter', `invalid MTU number: ${mtu}`);
  }
  const name = options[BRIDGE_OPTION.bridgeName];
  return {
    bridgeName: name !== undefined && name !== '' ? name : BRIDGE_NETWORK_DEFAULTS.bridgeNamePrefix + networkId.slice(0, 12),
    enableIcc: boolOption(options, BRIDGE_OPTION.enableIcc, BRIDGE_NETWORK_DEFAULTS.enableIcc),
    enableIpMasquerade: boolOption(options, BRIDGE_OPTION.enableIpMasquerade, BRIDGE_NETWORK_DEFAULTS.enableIpMasquerade),
    mtu,
    defaultBridge: boolOption(options, BRIDGE_OPTION.defaultBridge, false),
    inhibitIpv4: boolOption(options, BRIDGE_OPTION.inhibitIpv4, false),
    containerIfacePrefix: options[BRIDGE_OPTION.containerIfacePrefix] || BRIDGE_NETWORK_DEFAULTS.containerIfacePrefix,
    internal,
  };
}
