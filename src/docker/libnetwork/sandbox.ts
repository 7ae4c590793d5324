/**
 * A libnetwork sandbox (docker-facts §1.1): "the configuration of a container's network stack
 * … interfaces, routing table and DNS settings"; on Linux, a network namespace. It may hold many
 * endpoints from many networks. Here it also plays libnetwork's `osl` part: it takes each
 * joining endpoint's interface into its namespace under the next name (eth0, eth1, … in
 * connection order), gives it its MAC and address, and keeps the default route pointing at the
 * gateway of its "gateway endpoint".
 *
 * Heads up: interface names follow the engine profile. Up to 20.10 a per-sandbox counter hands
 * them out and never reuses one (disconnect eth0, connect again: eth1 … then eth2); v29 takes
 * the lowest unused suffix (LN osl nextIfIndex vs moby osl generateIfaceName).
 */
import { prefixMask } from '../../wire';
import type { Ipv4Prefix } from '../../wire';
import type { Endpoint } from './endpoint';
import type { NetnsHandle, RouteSpec } from './host-dataplane';
import type { LibnetworkContext } from './libnetwork-context';

/** The host namespace's key (osl.GenerateKey("default")). */
export const HOST_SANDBOX_KEY = '/var/run/docker/netns/default';
/** Where container namespaces are bound (osl basePath). */
export const NETNS_BASE_PATH = '/var/run/docker/netns';
/** libnetwork's name of the network that gives overlay-only containers a way out. */
export const GW_BRIDGE_NETWORK_NAME = 'docker_gwbridge';

const DEFAULT_ROUTE: Ipv4Prefix = { addr: 0, len: 0 };

/** One endpoint's interface inside the sandbox. */
export interface SandboxInterface {
  readonly endpoint: Endpoint;
  /** The name the driver created it under in the host namespace (e.g. "veth1a2b3c4"). */
  readonly srcName: string;
  /** Its name in the sandbox ("eth0"). */
  readonly dstName: string;
}

interface Attachment {
  readonly endpoint: Endpoint;
  readonly iface: SandboxInterface | undefined;
  readonly routes: RouteSpec[];
}

export interface SandboxOptions {
  /** `--network host`: use the host's namespace (osl's "default" sandbox) instead of a new one. */
  readonly useHostNamespace?: boolean;
  /** What the namespace is called in traces and captures (the container's name). */
  readonly label?: string;
}

export class Sandbox {
  readonly id: string;
  readonly containerId: string;
  /** The netns path ("SandboxKey" in docker inspect). */
  readonly key: string;
  readonly namespace: NetnsHandle;
  readonly usesHostNamespace: boolean;
  readonly #ctx: LibnetworkContext;
  readonly #attachments: Attachment[] = [];
  readonly #nextIndex = new Map<string, number>();
  /** The default route currently installed, and whose gateway it is. */
  #defaultRoute: { endpoint: Endpoint; route: RouteSpec } | undefined;
  #deleted = false;
  #inDelete = false;

  /** Use NetworkController.newSandbox. */
  constructor(ctx: LibnetworkContext, id: string, containerId: string, options: SandboxOptions) {
    this.#ctx = ctx;
    this.id = id;
    this.containerId = containerId;
    this.usesHostNamespace = options.useHostNamespace ?? false;
    if (this.usesHostNamespace) {
      this.key = HOST_SANDBOX_KEY;
      this.namespace = ctx.dataplane.hostNamespace;
    } else {
      // osl.GenerateKey: the first 12 characters of the sandbox ID.
      this.key = `${NETNS_BASE_PATH}/${id.slice(0, 12)}`;
      this.namespace = ctx.dataplane.createNamespace(this.key, options.label);
    }
  }

  get isDeleted(): boolean {
    return this.#deleted;
  }

  /** Joined endpoints, in connection order. */
  endpoints(): Endpoint[] {
    return this.#attachments.map((a) => a.endpoint);
  }

  /** Interfaces in connection order (host and null endpoints have none). */
  interfaces(): SandboxInterface[] {
    const out: SandboxInterface[] = [];
    for (const a of this.#attachments) if (a.iface) out.push(a.iface);
    return out;
  }

  interfaceOf(endpoint: Endpoint): SandboxInterface | undefined {
    return this.#attachments.find((a) => a.endpoint === endpoint)?.iface;
  }

  /** The endpoint on `networkId`, if the sandbox has joined that network. */
  endpointOnNetwork(networkId: string): Endpoint | undefined {
    return this.#attachments.find((a) => a.endpoint.network.id === networkId)?.endpoint;
  }

  /**
   * The endpoint whose gateway is the sandbox's default route (libnetwork getGatewayEndpoint
   * over the endpoints ordered by Endpoint.Less): higher --gw-priority first, then networks
   * other than docker_gwbridge, then non-internal ones, then by network name; host and null
   * endpoints and endpoints whose join gave no gateway never qualify.
   */
  gatewayEndpoint(): Endpoint | undefined {
    let best: Endpoint | undefined;
    for (const { endpoint: ep } of this.#attachments) {
      if (ep.network.hasSpecialDriver || ep.gateway === undefined) continue;
      if (!best || gatewayOrder(ep, best) < 0) best = ep;
    }
    return best;
  }

  /**
   * Called by Endpoint.join once the driver has answered: takes the interface in, adds the
   * join's routes, and moves the default route and external connectivity if the gateway
   * endpoint changed (libnetwork sbJoin + populateNetworkResources).
   */
  attach(endpoint: Endpoint): void {
    this.#assertLive();
    const info = endpoint.joinInfo;
    if (!info) throw new Error(`endpoint ${endpoint.name} has no join info`);
    const dp = this.#ctx.dataplane;
    const gwBefore = this.gatewayEndpoint();

    let iface: SandboxInterface | undefined;
    if (info.interfaceName) {
      const { srcName, dstPrefix } = info.interfaceName;
      const dstName = this.usesHostNamespace ? srcName : this.#allocateName(dstPrefix);
      if (!this.usesHostNamespace) dp.moveLink(dp.hostNamespace, srcName, this.namespace, dstName);
      // osl configureInterface: name, MAC, address, then up.
      if (endpoint.macAddress !== undefined) dp.setLinkMac(this.namespace, dstName, endpoint.macAddress);
      if (endpoint.address) dp.addAddress(this.namespace, dstName, endpoint.address);
      dp.setLinkUp(this.namespace, dstName);
      iface = { endpoint, srcName, dstName };
    }
    const attachment: Attachment = { endpoint, iface, routes: [] };
    this.#attachments.push(attachment);

    for (const r of info.staticRoutes) {
      // A connected route is bound to the endpoint's own interface; a next-hop route is not.
      const spec: RouteSpec =
        r.routeType === 'connected'
          ? { destination: masked(r.destination), ...(iface ? { device: iface.dstName } : {}) }
          : { destination: masked(r.destination), ...(r.nextHop !== undefined ? { via: r.nextHop } : {}) };
      dp.addRoute(this.namespace, spec);
      attachment.routes.push(spec);
    }

    const gwAfter = this.gatewayEndpoint();
    if (gwAfter === endpoint) this.#installDefaultRoute(endpoint);
    if (gwAfter !== gwBefore) {
      if (gwBefore) gwBefore.network.driver.revokeExternalConnectivity?.(gwBefore.network.id, gwBefore.id);
      if (gwAfter === endpoint && !endpoint.network.internal) {
        endpoint.network.driver.programExternalConnectivity?.(endpoint.network.id, endpoint.id);
      }
    }
  }

  /**
   * Called by Endpoint.leave: `driverLeave` runs the driver's Leave at the point libnetwork
   * does (after revoking external connectivity, before the interface goes back to the host).
   */
  detach(endpoint: Endpoint, driverLeave: () => void): void {
    const i = this.#attachments.findIndex((a) => a.endpoint === endpoint);
    if (i < 0) throw new Error(`endpoint ${endpoint.name} is not in sandbox ${this.id}`);
    const attachment = this.#attachments[i]!;
    const dp = this.#ctx.dataplane;
    const gwBefore = this.gatewayEndpoint();
    if (gwBefore === endpoint) endpoint.network.driver.revokeExternalConnectivity?.(endpoint.network.id, endpoint.id);
    driverLeave();

    if (this.#defaultRoute?.endpoint === endpoint) {
      dp.deleteRoute(this.namespace, this.#defaultRoute.route);
      this.#defaultRoute = undefined;
    }
    for (const r of attachment.routes) dp.deleteRoute(this.namespace, r);
    if (attachment.iface && !this.usesHostNamespace) {
      // osl nwIface.Remove: back to the host namespace under its original name.
      dp.moveLink(this.namespace, attachment.iface.dstName, dp.hostNamespace, attachment.iface.srcName);
    }
    this.#attachments.splice(i, 1);

    if (this.#inDelete) return;
    const gwAfter = this.gatewayEndpoint();
    if (gwAfter !== gwBefore && gwAfter) {
      this.#installDefaultRoute(gwAfter);
      if (gwBefore === endpoint && !gwAfter.network.internal) {
        gwAfter.network.driver.programExternalConnectivity?.(gwAfter.network.id, gwAfter.id);
      }
    }
  }

  /**
   * Sandbox.Delete (Docker's releaseNetwork at container stop): every endpoint leaves and is
   * deleted (so its address is released), then the namespace goes.
   */
  delete(): void {
    this.#assertLive();
    this.#inDelete = true;
    for (const ep of this.endpoints()) ep.delete(true);
    if (!this.usesHostNamespace) this.#ctx.dataplane.destroyNamespace(this.namespace);
    this.#deleted = true;
  }

  #installDefaultRoute(endpoint: Endpoint): void {
    const dp = this.#ctx.dataplane;
    if (this.#defaultRoute) {
      dp.deleteRoute(this.namespace, this.#defaultRoute.route);
      this.#defaultRoute = undefined;
    }
    const gateway = endpoint.gateway;
    if (gateway === undefined) return;
    const route: RouteSpec = { destination: DEFAULT_ROUTE, via: gateway };
    dp.addRoute(this.namespace, route);
    this.#defaultRoute = { endpoint, route };
  }

  #allocateName(prefix: string): string {
    switch (this.#ctx.profile.interfaceNaming) {
      case 'counter': {
        const n = this.#nextIndex.get(prefix) ?? 0;
        this.#nextIndex.set(prefix, n + 1);
        return `${prefix}${n}`;
      }
      case 'lowest-unused': {
        const used = new Set(this.interfaces().map((i) => i.dstName));
        let n = 0;
        while (used.has(`${prefix}${n}`)) n++;
        return `${prefix}${n}`;
      }
    }
  }

  #assertLive(): void {
    if (this.#deleted) throw new Error(`sandbox ${this.id} has been deleted`);
  }
}

function masked(p: Ipv4Prefix): Ipv4Prefix {
  return { addr: (p.addr & prefixMask(p.len)) >>> 0, len: p.len };
}

/** Negative when `a` should provide the default route before `b` (libnetwork Endpoint.Less). */
function gatewayOrder(a: Endpoint, b: Endpoint): number {
  if (a.gatewayPriority !== b.gatewayPriority) return b.gatewayPriority - a.gatewayPriority;
  const aGw = a.network.name === GW_BRIDGE_NETWORK_NAME;
  const bGw = b.network.name === GW_BRIDGE_NETWORK_NAME;
  if (aGw !== bGw) return aGw ? 1 : -1;
  if (a.network.internal !== b.network.internal) return a.network.internal ? 1 : -1;
  // Go compares strings bytewise; for the ASCII names Docker allows this is code-unit order.
  return a.network.name < b.network.name ? -1 : a.network.name > b.network.name ? 1 : 0;
}
