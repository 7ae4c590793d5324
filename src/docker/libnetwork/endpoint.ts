/**
 * A libnetwork endpoint (docker-facts §1.1): "joins a Sandbox to a Network"; it belongs to one
 * network and, while joined, to one sandbox. Its address is allocated when it is created and
 * released when it is deleted ("LibNetwork keeps hold of the IP addresses as long as the
 * endpoint is still present"); Docker creates endpoints at container start and deletes them at
 * stop, so a stopped container holds no address.
 */
import type { Ipv4, Ipv4Prefix, Mac } from '../../wire';
import { DaemonError } from '../daemon-error';
import type { EndpointInterface, JoinInfo } from './driver';
import type { LibnetworkContext } from './libnetwork-context';
import type { Network } from './network';
import type { Sandbox } from './sandbox';

export interface EndpointOptions {
  /** --ip: a static address (libnetwork CreateOptionIpam). */
  readonly ipv4Address?: Ipv4;
  /** --mac-address (netlabel.MacAddress). */
  readonly macAddress?: Mac;
  /** --network-alias values (the daemon adds the short container ID on user networks). */
  readonly aliases?: readonly string[];
  /** No embedded-DNS names for this endpoint (the daemon sets it on non-user-defined networks). */
  readonly disableResolution?: boolean;
  /** com.docker.network.ipam.serial: allocate after the last address rather than the lowest. */
  readonly serialAddress?: boolean;
  /** --gw-priority (v28+): higher wins the sandbox's default route. */
  readonly gatewayPriority?: number;
}

export class Endpoint {
  readonly id: string;
  readonly name: string;
  readonly network: Network;
  /** The interface as the driver sees it: address from IPAM, MAC set by the driver. */
  readonly iface: EndpointInterface;
  readonly aliases: readonly string[];
  readonly disableResolution: boolean;
  readonly gatewayPriority: number;
  /** The IPAM pool the address came from (undefined for host/null). */
  readonly poolId: string | undefined;
  readonly #ctx: LibnetworkContext;
  #sandbox: Sandbox | undefined;
  #joinInfo: JoinInfo | undefined;
  #deleted = false;

  /** Use Network.createEndpoint. */
  constructor(
    ctx: LibnetworkContext,
    network: Network,
    id: string,
    name: string,
    options: EndpointOptions,
    assigned: { poolId: string; address: Ipv4Prefix } | undefined,
  ) {
    this.#ctx = ctx;
    this.network = network;
    this.id = id;
    this.name = name;
    this.poolId = assigned?.poolId;
    this.iface = { address: assigned?.address, macAddress: undefined };
    this.aliases = options.aliases ?? [];
    this.disableResolution = options.disableResolution ?? false;
    this.gatewayPriority = options.gatewayPriority ?? 0;
  }

  /** The address with the network's prefix length ("10.0.0.2/24"), if any. */
  get address(): Ipv4Prefix | undefined {
    return this.iface.address;
  }
  get macAddress(): Mac | undefined {
    return this.iface.macAddress;
  }
  get sandbox(): Sandbox | undefined {
    return this.#sandbox;
  }
  /** What the driver answered on join (undefined while not joined). */
  get joinInfo(): JoinInfo | undefined {
    return this.#joinInfo;
  }
  /** The default gateway this endpoint offers its sandbox (JoinInfo SetGateway). */
  get gateway(): Ipv4 | undefined {
    return this.#joinInfo?.gateway;
  }
  get isDeleted(): boolean {
    return this.#deleted;
  }

  /**
   * Endpoint.Join: the driver prepares the interface, then the sandbox takes it in (named
   * eth0, eth1, … in connection order) and re-elects its gateway endpoint.
   */
  join(sandbox: Sandbox): void {
    this.#assertLive();
    if (this.#sandbox) throw new DaemonError('forbidden', 'another container is attached to the same network endpoint');
    const info = this.network.driver.join({ networkId: this.network.id, endpointId: this.id, namespace: sandbox.namespace });
    this.#joinInfo = info;
    this.#sandbox = sandbox;
    try {
      sandbox.attach(this);
    } catch (e) {
      this.#sandbox = undefined;
      this.#joinInfo = undefined;
      this.network.driver.leave(this.network.id, this.id);
      throw e;
    }
  }

  /** Endpoint.Leave: the sandbox gives the interface back and the driver lets go. */
  leave(): void {
    this.#assertLive();
    const sandbox = this.#sandbox;
    if (!sandbox) throw new DaemonError('forbidden', `endpoint ${this.name} is not attached to a sandbox`);
    sandbox.detach(this, () => this.network.driver.leave(this.network.id, this.id));
    this.#sandbox = undefined;
    this.#joinInfo = undefined;
  }

  /**
   * Endpoint.Delete: refused while joined unless forced (then it leaves first); the driver
   * deletes its side and the address goes back to IPAM.
   */
  delete(force = false): void {
    this.#assertLive();
    if (this.#sandbox) {
      if (!force) throw new DaemonError('forbidden', `endpoint with name ${this.name} id ${this.id} has active containers`);
      this.leave();
    }
    this.network.driver.deleteEndpoint(this.network.id, this.id);
    if (this.poolId !== undefined && this.iface.address) {
      this.#ctx.ipam.releaseAddress(this.poolId, this.iface.address.addr);
    }
    this.network.forgetEndpoint(this);
    this.#deleted = true;
  }

  #assertLive(): void {
    if (this.#deleted) throw new DaemonError('notFound', `unknown endpoint ${this.name} id ${this.id}`);
  }
}
