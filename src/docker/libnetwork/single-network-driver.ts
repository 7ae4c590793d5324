/**
 * The host and null drivers (libnetwork drivers/host/host.go, drivers/null/null.go): each allows
 * exactly one network, refuses to delete it, and does nothing for endpoints or joins. A
 * `--network host` container shares the host's namespace (the daemon asks for the "default"
 * sandbox); a `--network none` container gets a namespace with only `lo`. Neither network gets
 * IPAM pools (libnetwork hasSpecialDriver).
 */
import { DaemonError } from '../daemon-error';
import { EMPTY_JOIN_INFO } from './driver';
import type { CreateNetworkRequest, DriverCapability, JoinInfo, NetworkDriver } from './driver';

const LOCAL: DriverCapability = { dataScope: 'local', connectivityScope: 'local' };

class SingleNetworkDriver implements NetworkDriver {
  readonly type: string;
  readonly builtIn = true;
  readonly capability = LOCAL;
  #networkId: string | undefined;

  constructor(type: string) {
    this.type = type;
  }

  createNetwork(req: CreateNetworkRequest): void {
    if (this.#networkId !== undefined) {
      throw new DaemonError('forbidden', `only one instance of "${this.type}" network is allowed`);
    }
    this.#networkId = req.networkId;
  }

  deleteNetwork(_networkId: string): void {
    throw new DaemonError('forbidden', `network of type "${this.type}" cannot be deleted`);
  }

  createEndpoint(): void {}
  deleteEndpoint(): void {}
  join(): JoinInfo {
    return EMPTY_JOIN_INFO;
  }
  leave(): void {}
}

/** drivers/host: `--network host`. */
export class HostDriver extends SingleNetworkDriver {
  constructor() {
    super('host');
  }
}

/** drivers/null: `--network none`. */
export class NullDriver extends SingleNetworkDriver {
  constructor() {
    super('null');
  }
}
