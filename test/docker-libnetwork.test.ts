import { expect } from 'chai';
import { formatCidr, formatIpv4, formatMac, parseCidr, parseIpv4 } from '../src/wire';
import { DaemonError, electContainerMac, ENGINE_19_03, ENGINE_29, generateIfaceName, generateRandomMac, IdGenerator, shortId } from '../src/docker';
import type { EngineProfile, NetworkCreateRequest } from '../src/docker';
import { Rng } from '../src/sim';
import { testHost } from './docker-test-doubles';

function daemonError(fn: () => unknown): DaemonError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DaemonError) return e;
    throw e;
  }
  throw new Error('expected a DaemonError');
}

const create = (name: string, extra: Partial<NetworkCreateRequest> = {}): NetworkCreateRequest =>
  ({ name, driver: 'bridge', checkDuplicate: true, ...extra });
const withSubnet = (name: string, subnet: string, more: object = {}): NetworkCreateRequest =>
  create(name, { ipam: { driver: 'default', options: {}, config: [{ subnet, ...more }] } });

describe('docker IDs', () => {
  it('are 64 lowercase hex digits whose short form is not all digits, and repeat with the seed', () => {
    const a = new IdGenerator(Rng.fromSeed(7).fork('ids'));
    const b = new IdGenerator(Rng.fromSeed(7).fork('ids'));
    const ids = Array.from({ length: 200 }, () => a.randomId());
    for (const id of ids) {
      expect(id).to.match(/^[0-9a-f]{64}$/);
      expect(shortId(id)).to.not.match(/^[0-9]+$/);
    }
    expect(b.randomId()).to.equal(ids[0]);
    expect(new IdGenerator(Rng.fromSeed(8).fork('ids')).randomId()).to.not.equal(ids[0]);
  });

  it('swarm IDs are 25 base-36 characters', () => {
    const g = new IdGenerator(Rng.fromSeed(1).fork('swarm'));
    for (let i = 0; i < 50; i++) expect(g.swarmId()).to.match(/^[0-9a-z]{25}$/);
  });
});

describe('docker netutils', () => {
  it('container MACs: 02:42 + IPv4 in 19.03, random locally administered unicast in v29, --mac-address wins', () => {
    const rng = Rng.fromSeed(1).fork('mac');
    expect(formatMac(electContainerMac(ENGINE_19_03, parseIpv4('10.0.0.2'), rng))).to.equal('02:42:0a:00:00:02');
    for (let i = 0; i < 20; i++) {
      const first = Math.floor(electContainerMac(ENGINE_29, parseIpv4('10.0.0.2'), rng) / 2 ** 40);
      expect(first & 0x03).to.equal(0x02);
    }
    expect(electContainerMac(ENGINE_29, parseIpv4('10.0.0.2'), rng, 0x0242_0000_0001)).to.equal(0x0242_0000_0001);
    expect(formatMac(generateRandomMac(rng, ENGINE_19_03)).slice(0, 6)).to.equal('02:42:');
  });

  it('veth names are "veth" + 7 hex digits, drawn again when taken', () => {
    const rng = Rng.fromSeed(1).fork('veth');
    const first = generateIfaceName(Rng.fromSeed(1).fork('veth'), () => false)!;
    expect(first).to.match(/^veth[0-9a-f]{7}$/);
    const taken = new Set([first]);
    const second = generateIfaceName(rng, (n) => taken.has(n))!;
    expect(second).to.match(/^veth[0-9a-f]{7}$/).and.not.equal(first);
    expect(generateIfaceName(rng, () => true)).to.equal(undefined);
  });
});

describe('docker network controller: predefined networks', () => {
  it('creates none, host and bridge (docker0 on 172.17.0.0/16) with IDs from the seed', () => {
    const { controller } = testHost(ENGINE_19_03, 3);
    const nets = controller.networks();
    expect(nets.map((n) => [n.name, n.type])).to.deep.equal([['none', 'null'], ['host', 'host'], ['bridge', 'bridge']]);
    const bridge = controller.networkByName('bridge')!;
    expect(bridge.ipamV4Info.map((i) => formatCidr(i.data.pool))).to.deep.equal(['172.17.0.0/16']);
    expect(formatIpv4(bridge.ipamV4Info[0]!.data.gateway!.addr)).to.equal('172.17.0.1');
    expect(bridge.driverOptions).to.deep.equal({
      'com.docker.network.bridge.default_bridge': 'true',
      'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': 'docker0',
      'com.docker.network.driver.mtu': '1500',
    });
    expect(testHost(ENGINE_19_03, 3).controller.networks().map((n) => n.id)).to.deep.equal(nets.map((n) => n.id));
    expect(testHost(ENGINE_19_03, 4).controller.networks()[0]!.id).to.not.equal(nets[0]!.id);
  });

  it('moves docker0 off a pool the host already uses', () => {
    const { controller } = testHost(ENGINE_19_03, 1, [parseCidr('172.17.0.0/16')]);
    expect(formatCidr(controller.networkByName('bridge')!.ipamV4Info[0]!.data.pool)).to.equal('172.18.0.0/16');
    expect(formatCidr(controller.createNetwork(create('a')).ipamV4Info[0]!.data.pool)).to.equal('172.19.0.0/16');
  });

  it('refuses to create or remove predefined networks', () => {
    const { controller } = testHost(ENGINE_19_03);
    for (const name of ['bridge', 'host', 'none', 'default']) {
      expect(daemonError(() => controller.createNetwork(create(name))).message)
        .to.equal(`operation is not permitted on predefined ${name} network `);
    }
    for (const name of ['bridge', 'host', 'none']) {
      const e = daemonError(() => controller.removeNetwork(name));
      expect(e.message).to.equal(`${name} is a pre-defined network and cannot be removed`);
      expect(e.httpStatus).to.equal(403);
    }
  });

  it('allows one host and one null network only', () => {
    const { controller } = testHost(ENGINE_19_03);
    expect(daemonError(() => controller.createNetwork(create('h', { driver: 'host' }))).message)
      .to.equal('only one instance of "host" network is allowed');
    expect(daemonError(() => controller.createNetwork(create('n', { driver: 'null' }))).message)
      .to.equal('only one instance of "null" network is allowed');
    expect(daemonError(() => controller.createNetwork(create('x', { driver: 'foo' }))).message).to.equal('plugin "foo" not found');
  });
});

describe('docker network controller: user networks', () => {
  for (const profile of [ENGINE_19_03, ENGINE_29]) {
    it(`${profile.version}: default pools in order, and a freed pool ${profile.version === '19.03' ? 'skipped' : 'reused'}`, () => {
      const { controller } = testHost(profile);
      const pool = (n: string) => formatCidr(controller.createNetwork(create(n)).ipamV4Info[0]!.data.pool);
      expect([pool('a'), pool('b')]).to.deep.equal(['172.18.0.0/16', '172.19.0.0/16']);
      controller.removeNetwork('a');
      expect(pool('c')).to.equal(profile.version === '19.03' ? '172.20.0.0/16' : '172.18.0.0/16');
    });
  }

  it('refuses a duplicate name (409)', () => {
    const { controller } = testHost(ENGINE_19_03);
    controller.createNetwork(create('demo'));
    const e = daemonError(() => controller.createNetwork(create('demo')));
    expect(e.message).to.equal('network with name demo already exists');
    expect(e.httpStatus).to.equal(409);
  });

  it('refuses blank names with the version\'s text', () => {
    expect(daemonError(() => testHost(ENGINE_19_03).controller.createNetwork(create(''))).message).to.equal('invalid name: ');
    expect(daemonError(() => testHost(ENGINE_29).controller.createNetwork(create(' '))).message).to.equal('invalid name: name is empty');
  });

  it('keeps the subnet as typed in 19.03 and refuses host bits in v29', () => {
    const old = testHost(ENGINE_19_03).controller.createNetwork(withSubnet('demo-bridge', '10.0.0.1/24'));
    expect(old.ipamV4Config[0]!.preferredPool).to.equal('10.0.0.1/24');
    expect(formatCidr(old.ipamV4Info[0]!.data.pool)).to.equal('10.0.0.0/24');
    expect(formatIpv4(old.ipamV4Info[0]!.data.gateway!.addr)).to.equal('10.0.0.1');
    expect(daemonError(() => testHost(ENGINE_29).controller.createNetwork(withSubnet('demo-bridge', '10.0.0.1/24'))).message)
      .to.equal('invalid network config:\ninvalid subnet 10.0.0.1/24: it should be 10.0.0.0/24');
  });

  it('reports an unparsable subnet with the version\'s text', () => {
    expect(daemonError(() => testHost(ENGINE_19_03).controller.createNetwork(withSubnet('x', 'foo'))).message)
      .to.equal('Invalid subnet foo : invalid CIDR address: foo');
    expect(daemonError(() => testHost(ENGINE_29).controller.createNetwork(withSubnet('x', '10.0.0.0/33'))).message)
      .to.equal('invalid subnet 10.0.0.0/33: invalid CIDR block notation');
  });

  it('refuses overlapping subnets and rolls back nothing else', () => {
    for (const [profile, text] of [
      [ENGINE_19_03, 'Pool overlaps with other one on this address space'],
      [ENGINE_29, 'invalid pool request: Pool overlaps with other one on this address space'],
    ] as [EngineProfile, string][]) {
      const { controller } = testHost(profile);
      controller.createNetwork(withSubnet('a', '10.1.0.0/16'));
      expect(daemonError(() => controller.createNetwork(withSubnet('b', '10.1.128.0/17'))).message).to.equal(text);
      expect(daemonError(() => controller.createNetwork(withSubnet('c', '172.17.0.0/16'))).message).to.equal(text);
      expect(controller.networks().map((n) => n.name)).to.deep.equal(['none', 'host', 'bridge', 'a']);
    }
  });

  it('uses --gateway, reserves --aux-address, and checks aux addresses against the pool', () => {
    const { controller } = testHost(ENGINE_19_03);
    const n = controller.createNetwork(withSubnet('n', '10.5.0.0/24', { gateway: '10.5.0.254', auxAddresses: { router: '10.5.0.2' } }));
    expect(formatIpv4(n.ipamV4Info[0]!.data.gateway!.addr)).to.equal('10.5.0.254');
    expect(formatCidr(n.createEndpoint('c1').address!)).to.equal('10.5.0.1/24');
    expect(formatCidr(n.createEndpoint('c2').address!)).to.equal('10.5.0.3/24');
    expect(daemonError(() => controller.createNetwork(withSubnet('m', '10.6.0.0/24', { auxAddresses: { x: '10.7.0.1' } }))).message)
      .to.equal('auxilairy address: (x:10.7.0.1) must belong to the master pool: 10.6.0.0/24');
    // The failed network's pool was released.
    expect(controller.createNetwork(withSubnet('m', '10.6.0.0/24')).name).to.equal('m');
  });

  it('reports a gateway that collides with an aux address', () => {
    const { controller } = testHost(ENGINE_19_03);
    expect(daemonError(() => controller.createNetwork(withSubnet('n', '10.5.0.0/24', { gateway: '10.5.0.1', auxAddresses: { a: '10.5.0.1' } }))).message)
      .to.equal('failed to allocate secondary ip address (a:10.5.0.1): Address already in use');
  });

  it('allocates from --ip-range, gateway included', () => {
    const { controller } = testHost(ENGINE_19_03);
    const n = controller.createNetwork(withSubnet('r', '172.28.0.0/16', { ipRange: '172.28.5.0/24' }));
    expect(formatIpv4(n.ipamV4Info[0]!.data.gateway!.addr)).to.equal('172.28.5.0');
    expect(formatCidr(n.createEndpoint('c1').address!)).to.equal('172.28.5.1/16');
  });
});

describe('docker endpoints and addresses', () => {
  it('gives the lowest free address, releases it on delete, and reuses it at once', () => {
    const { controller } = testHost(ENGINE_19_03);
    const n = controller.createNetwork(withSubnet('demo', '10.0.0.1/24'));
    const [a, b, c] = ['c1', 'c2', 'c3'].map((x) => n.createEndpoint(x));
    expect([a, b, c].map((e) => formatCidr(e!.address!))).to.deep.equal(['10.0.0.2/24', '10.0.0.3/24', '10.0.0.4/24']);
    b!.delete();
    expect(formatCidr(n.createEndpoint('c4').address!)).to.equal('10.0.0.3/24');
  });

  it('takes --ip when free and refuses it with Docker\'s texts otherwise', () => {
    for (const profile of [ENGINE_19_03, ENGINE_29]) {
      const { controller } = testHost(profile);
      const n = controller.createNetwork(withSubnet('demo', '10.0.0.0/24'));
      expect(formatCidr(n.createEndpoint('c1', { ipv4Address: parseIpv4('10.0.0.50') }).address!)).to.equal('10.0.0.50/24');
      expect(daemonError(() => n.createEndpoint('c2', { ipv4Address: parseIpv4('10.0.0.50') })).message).to.equal('Address already in use');
      expect(daemonError(() => n.createEndpoint('c3', { ipv4Address: parseIpv4('10.9.9.9') })).message).to.equal(
        profile.version === '19.03'
          ? "Invalid address 10.9.9.9: It does not belong to any of this network's subnets"
          : 'no configured subnet contains IP address 10.9.9.9',
      );
      // Failed requests did not leak addresses.
      expect(formatCidr(n.createEndpoint('c4').address!)).to.equal('10.0.0.2/24');
    }
  });

  it('refuses a second endpoint with the same name', () => {
    const { controller } = testHost(ENGINE_19_03);
    const n = controller.createNetwork(create('demo'));
    n.createEndpoint('c1');
    expect(daemonError(() => n.createEndpoint('c1')).message).to.equal('endpoint with name c1 already exists in network demo');
  });

  it('reports an exhausted network', () => {
    const { controller } = testHost(ENGINE_19_03);
    const n = controller.createNetwork(withSubnet('tiny', '10.0.0.0/30'));
    n.createEndpoint('c1');
    expect(daemonError(() => n.createEndpoint('c2')).message)
      .to.equal(`no available IPv4 addresses on this network's address pools: tiny (${n.id})`);
  });

  it('host and none endpoints get no address', () => {
    const { controller } = testHost(ENGINE_19_03);
    expect(controller.networkByName('host')!.createEndpoint('c1').address).to.equal(undefined);
    expect(controller.networkByName('none')!.createEndpoint('c1').address).to.equal(undefined);
  });
});

describe('docker sandboxes', () => {
  it('takes interfaces in as eth0, eth1 with MAC, address and the default route', () => {
    const { controller, dataplane } = testHost(ENGINE_19_03);
    const demo = controller.createNetwork(withSubnet('demo', '10.0.0.0/24'));
    const other = controller.createNetwork(create('other'));
    const sb = controller.newSandbox('c'.repeat(64));
    expect(sb.key).to.equal(`/var/run/docker/netns/${sb.id.slice(0, 12)}`);
    const e1 = demo.createEndpoint('container1');
    e1.join(sb);
    const e2 = other.createEndpoint('container1');
    e2.join(sb);
    expect(sb.interfaces().map((i) => i.dstName)).to.deep.equal(['eth0', 'eth1']);
    expect(formatMac(e1.macAddress!)).to.equal('02:42:0a:00:00:02');
    expect(dataplane.links(sb.namespace).sort()).to.deep.equal(['eth0', 'eth1', 'lo']);
    expect(dataplane.routes(sb.namespace)).to.deep.equal(['default via 10.0.0.1']);
    expect(dataplane.log).to.include(`[${sb.key}] addr add 10.0.0.2/24 dev eth0`);
  });

  for (const [profile, third] of [[ENGINE_19_03, 'eth2'], [ENGINE_29, 'eth0']] as [EngineProfile, string][]) {
    it(`${profile.version}: reconnecting after a disconnect names the interface ${third}`, () => {
      const { controller } = testHost(profile);
      const a = controller.createNetwork(create('a'));
      const b = controller.createNetwork(create('b'));
      const sb = controller.newSandbox('c'.repeat(64));
      const ea = a.createEndpoint('x');
      ea.join(sb);
      b.createEndpoint('x').join(sb);
      ea.delete(true);
      a.createEndpoint('x').join(sb);
      expect(sb.interfaces().map((i) => i.dstName)).to.deep.equal(['eth1', third]);
    });
  }

  it('moves the default route when the gateway endpoint leaves', () => {
    const { controller, dataplane, bridge } = testHost(ENGINE_19_03);
    const a = controller.createNetwork(withSubnet('a', '10.1.0.0/24'));
    const b = controller.createNetwork(withSubnet('b', '10.2.0.0/24'));
    const sb = controller.newSandbox('c'.repeat(64));
    // Joined in the order b, a: "a" sorts first by name, so it provides the default route.
    const eb = b.createEndpoint('x');
    eb.join(sb);
    expect(dataplane.routes(sb.namespace)).to.deep.equal(['default via 10.2.0.1']);
    const ea = a.createEndpoint('x');
    ea.join(sb);
    expect(dataplane.routes(sb.namespace)).to.deep.equal(['default via 10.1.0.1']);
    ea.leave();
    expect(dataplane.routes(sb.namespace)).to.deep.equal(['default via 10.2.0.1']);
    expect(bridge.external).to.deep.equal([`+${eb.id.slice(0, 4)}`, `-${eb.id.slice(0, 4)}`, `+${ea.id.slice(0, 4)}`, `-${ea.id.slice(0, 4)}`, `+${eb.id.slice(0, 4)}`]);
  });

  it('prefers a non-internal network for the default route whatever the order', () => {
    const { controller, dataplane } = testHost(ENGINE_19_03);
    const inner = controller.createNetwork({ ...withSubnet('aaa', '10.1.0.0/24'), internal: true });
    const outer = controller.createNetwork(withSubnet('zzz', '10.2.0.0/24'));
    const sb = controller.newSandbox('c'.repeat(64));
    inner.createEndpoint('x').join(sb);
    expect(dataplane.routes(sb.namespace)).to.deep.equal(['default via 10.1.0.1']);
    outer.createEndpoint('x').join(sb);
    expect(sb.gatewayEndpoint()!.network.name).to.equal('zzz');
    expect(dataplane.routes(sb.namespace)).to.deep.equal(['default via 10.2.0.1']);
  });

  it('an internal network gives a default route in 19.03 and none in v29', () => {
    for (const profile of [ENGINE_19_03, ENGINE_29]) {
      const { controller, dataplane } = testHost(profile);
      const n = controller.createNetwork({ ...withSubnet('in', '10.1.0.0/24'), internal: true });
      const sb = controller.newSandbox('c'.repeat(64));
      n.createEndpoint('x').join(sb);
      expect(dataplane.routes(sb.namespace)).to.deep.equal(profile.version === '19.03' ? ['default via 10.1.0.1'] : []);
    }
  });

  it('deleting a sandbox releases its addresses and namespace', () => {
    const { controller, dataplane } = testHost(ENGINE_19_03);
    const n = controller.createNetwork(withSubnet('demo', '10.0.0.0/24'));
    const sb = controller.newSandbox('c'.repeat(64));
    n.createEndpoint('c1').join(sb);
    controller.deleteSandbox(sb);
    expect(dataplane.namespaces()).to.not.include(sb.key);
    expect(n.endpoints()).to.deep.equal([]);
    expect(dataplane.links(dataplane.hostNamespace)).to.deep.equal(['lo']);
    expect(formatCidr(n.createEndpoint('c2').address!)).to.equal('10.0.0.2/24');
  });

  it('host and none sandboxes: the host namespace, or one with only lo', () => {
    const { controller, dataplane } = testHost(ENGINE_19_03);
    const h = controller.newSandbox('a'.repeat(64), { useHostNamespace: true });
    controller.networkByName('host')!.createEndpoint('c1').join(h);
    expect(h.key).to.equal('/var/run/docker/netns/default');
    expect(h.namespace).to.equal(dataplane.hostNamespace);
    expect(h.interfaces()).to.deep.equal([]);
    const none = controller.newSandbox('b'.repeat(64));
    controller.networkByName('none')!.createEndpoint('c2').join(none);
    expect(dataplane.links(none.namespace)).to.deep.equal(['lo']);
    expect(dataplane.routes(none.namespace)).to.deep.equal([]);
    expect(none.endpoints().length).to.equal(1);
  });

  it('an endpoint joins one sandbox at a time and cannot be deleted while joined', () => {
    const { controller } = testHost(ENGINE_19_03);
    const n = controller.createNetwork(create('demo'));
    const e = n.createEndpoint('c1');
    e.join(controller.newSandbox('a'.repeat(64)));
    expect(daemonError(() => e.join(controller.newSandbox('b'.repeat(64)))).message)
      .to.equal('another container is attached to the same network endpoint');
    expect(daemonError(() => e.delete()).message).to.equal(`endpoint with name c1 id ${e.id} has active containers`);
  });
});

describe('docker network removal and lookup', () => {
  it('refuses to remove a network with endpoints, as each version words it', () => {
    for (const profile of [ENGINE_19_03, ENGINE_29]) {
      const { controller } = testHost(profile);
      const n = controller.createNetwork(create('demo'));
      const e = n.createEndpoint('container1');
      const err = daemonError(() => controller.removeNetwork('demo'));
      expect(err.message).to.equal(profile.version === '19.03'
        ? `error while removing network: network demo id ${n.id} has active endpoints`
        : `error while removing network: network demo has active endpoints (name:"container1" id:"${e.id.slice(0, 12)}")`);
      e.delete();
      controller.removeNetwork('demo');
      expect(controller.networkByName('demo')).to.equal(undefined);
    }
  });

  it('finds networks by full ID, name or unique ID prefix, and says why not', () => {
    const { controller } = testHost(ENGINE_19_03);
    const n = controller.createNetwork(create('demo'));
    expect(controller.findNetwork(n.id)).to.equal(n);
    expect(controller.findNetwork('demo')).to.equal(n);
    expect(controller.findNetwork(n.id.slice(0, 5))).to.equal(n);
    expect(daemonError(() => controller.findNetwork('nope')).message).to.equal('network nope not found');
    const all = controller.networks().length;
    expect(daemonError(() => controller.findNetwork('')).message).to.equal(`network  is ambiguous (${all} matches found based on ID prefix)`);
    // A name that is another network's ID prefix: the name wins.
    const m = controller.createNetwork(create(n.id.slice(0, 3)));
    expect(controller.findNetwork(n.id.slice(0, 3))).to.equal(m);
  });
});
