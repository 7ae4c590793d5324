import { expect } from 'chai';
import { formatCidr, formatIpv4, parseCidr, parseIpv4 } from '../src/wire';
import {
  AddressBitmap, ENGINE_19_03, ENGINE_29, GLOBAL_ADDRESS_SPACE, Ipam, IpamError, LOCAL_ADDRESS_SPACE,
  PredefinedPoolList, LOCAL_DEFAULT_POOLS,
} from '../src/docker';
import type { EngineProfile } from '../src/docker';

const local = { addressSpace: LOCAL_ADDRESS_SPACE } as const;

function defaultPool(ipam: Ipam, reserved: string[] = []): string {
  return formatCidr(ipam.requestPool({ ...local, reserved: reserved.map(parseCidr) }).pool);
}

function ipamError(fn: () => unknown): IpamError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IpamError) return e;
    throw e;
  }
  throw new Error('expected an IpamError');
}

describe('docker IPAM: address bitmap', () => {
  it('takes the lowest free ordinal, skipping taken ones, across chunk boundaries', () => {
    const b = new AddressBitmap(2 ** 18);
    for (let i = 0; i < 70_000; i++) b.set(i);
    b.unset(65_535);
    expect(b.takeLowestFree()).to.equal(65_535);
    expect(b.takeLowestFree()).to.equal(70_000);
    expect(b.used).to.equal(70_001);
  });

  it('honours a range and reports a full range', () => {
    const b = new AddressBitmap(256);
    expect(b.takeLowestFree(10, 11)).to.equal(10);
    expect(b.takeLowestFree(10, 11)).to.equal(11);
    expect(b.takeLowestFree(10, 11)).to.equal(undefined);
  });

  it('in serial mode continues after the last allocation and wraps', () => {
    const b = new AddressBitmap(8);
    b.set(0);
    b.set(7);
    expect([1, 2, 3].map(() => b.takeLowestFree(0, 7, true))).to.deep.equal([1, 2, 3]);
    b.unset(1);
    expect(b.takeLowestFree(0, 7, true)).to.equal(4);
    expect(b.takeLowestFree(0, 7, false)).to.equal(1);
  });
});

describe('docker IPAM: default pools', () => {
  it('lists the 31 local pools in libnetwork order', () => {
    const list = new PredefinedPoolList(LOCAL_DEFAULT_POOLS);
    const all = Array.from({ length: list.length }, (_, i) => formatCidr(list.at(i)));
    expect(all.length).to.equal(31);
    expect(all.slice(0, 16)).to.deep.equal([
      ...Array.from({ length: 15 }, (_, i) => `172.${17 + i}.0.0/16`),
      '192.168.0.0/20',
    ]);
    expect(all[30]).to.equal('192.168.240.0/20');
  });

  for (const profile of [ENGINE_19_03, ENGINE_29]) {
    it(`${profile.version}: hands out the pools in order, then fails with the version's message`, () => {
      const ipam = new Ipam(profile);
      const got = Array.from({ length: 31 }, () => defaultPool(ipam));
      expect(got.slice(0, 3)).to.deep.equal(['172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16']);
      expect(got[15]).to.equal('192.168.0.0/20');
      expect(got[30]).to.equal('192.168.240.0/20');
      const e = ipamError(() => defaultPool(ipam));
      expect(e.code).to.equal('defaultPoolsExhausted');
      expect(e.message).to.equal(profile.version === '19.03'
        ? 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network'
        : 'all predefined address pools have been fully subnetted');
    });

    it(`${profile.version}: skips pools that overlap the host's routes`, () => {
      const ipam = new Ipam(profile);
      expect(defaultPool(ipam, ['172.17.0.0/16', '172.18.5.0/24'])).to.equal('172.19.0.0/16');
      // The skipped pools are not held afterwards.
      expect(formatCidr(ipam.requestPool({ ...local, pool: parseCidr('172.17.0.0/16') }).pool)).to.equal('172.17.0.0/16');
    });

    it(`${profile.version}: skips pools that overlap a user subnet`, () => {
      const ipam = new Ipam(profile);
      ipam.requestPool({ ...local, pool: parseCidr('172.17.3.0/24') });
      expect(defaultPool(ipam)).to.equal('172.18.0.0/16');
    });
  }

  it('19.03: round-robin does not reuse a freed pool until the list wraps', () => {
    const ipam = new Ipam(ENGINE_19_03);
    const a = ipam.requestPool(local);
    const b = ipam.requestPool(local);
    expect(formatCidr(b.pool)).to.equal('172.18.0.0/16');
    ipam.releasePool(b.poolId);
    expect(defaultPool(ipam)).to.equal('172.19.0.0/16');
    ipam.releasePool(a.poolId);
    expect(defaultPool(ipam)).to.equal('172.20.0.0/16');
  });

  it('19.03: after wrapping, the freed pool is found again', () => {
    const ipam = new Ipam(ENGINE_19_03);
    const grants = Array.from({ length: 31 }, () => ipam.requestPool(local));
    ipam.releasePool(grants[1]!.poolId);
    expect(defaultPool(ipam)).to.equal('172.18.0.0/16');
  });

  it('29: the lowest gap is reused at once', () => {
    const ipam = new Ipam(ENGINE_29);
    ipam.requestPool(local);
    const b = ipam.requestPool(local);
    ipam.requestPool(local);
    ipam.releasePool(b.poolId);
    expect(defaultPool(ipam)).to.equal('172.18.0.0/16');
    expect(defaultPool(ipam)).to.equal('172.20.0.0/16');
  });

  it('29: a user /24 inside a default pool pushes the next pool past it', () => {
    const ipam = new Ipam(ENGINE_29);
    ipam.requestPool({ ...local, pool: parseCidr('172.17.0.0/24') });
    expect(defaultPool(ipam)).to.equal('172.18.0.0/16');
  });

  it('global scope hands out 10.0.x.0/24 in order', () => {
    const ipam = new Ipam(ENGINE_29);
    const got = [0, 1, 2].map(() => formatCidr(ipam.requestPool({ addressSpace: GLOBAL_ADDRESS_SPACE }).pool));
    expect(got).to.deep.equal(['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
  });
});

describe('docker IPAM: user pools', () => {
  for (const [profile, message] of [
    [ENGINE_19_03, 'Pool overlaps with other one on this address space'],
    [ENGINE_29, 'invalid pool request: Pool overlaps with other one on this address space'],
  ] as [EngineProfile, string][]) {
    it(`${profile.version}: refuses overlapping and identical subnets`, () => {
      const ipam = new Ipam(profile);
      ipam.requestPool({ ...local, pool: parseCidr('10.1.0.0/16') });
      for (const s of ['10.1.2.0/24', '10.0.0.0/8', '10.1.0.0/16']) {
        const e = ipamError(() => ipam.requestPool({ ...local, pool: parseCidr(s) }));
        expect(e.code).to.equal('poolOverlap');
        expect(e.message).to.equal(message);
      }
    });
  }

  it('masks host bits ("10.0.0.1/24" is the pool 10.0.0.0/24) and gives .1 to the first request', () => {
    const ipam = new Ipam(ENGINE_19_03);
    const g = ipam.requestPool({ ...local, pool: parseCidr('10.0.0.1/24') });
    expect(g.poolId).to.equal('LocalDefault/10.0.0.0/24');
    expect(formatIpv4(ipam.requestAddress(g.poolId))).to.equal('10.0.0.1');
    expect(formatIpv4(ipam.requestAddress(g.poolId))).to.equal('10.0.0.2');
  });

  it('an --ip-range pool allocates from its range and shares the parent bitmap', () => {
    const ipam = new Ipam(ENGINE_19_03);
    const g = ipam.requestPool({ ...local, pool: parseCidr('172.28.0.0/16'), subPool: parseCidr('172.28.5.0/24') });
    expect(g.poolId).to.equal('LocalDefault/172.28.0.0/16/172.28.5.0/24');
    // Derived from LN getAddressRange: the range's own first address is allocatable.
    expect(formatIpv4(ipam.requestAddress(g.poolId))).to.equal('172.28.5.0');
    expect(formatIpv4(ipam.requestAddress(g.poolId, parseIpv4('172.28.0.9')))).to.equal('172.28.0.9');
    // A second network on the same subnet with another range is allowed (moby#46756) …
    const h = ipam.requestPool({ ...local, pool: parseCidr('172.28.0.0/16'), subPool: parseCidr('172.28.6.0/24') });
    expect(() => ipam.requestAddress(h.poolId, parseIpv4('172.28.0.9'))).to.throw('Address already in use');
    // … but not with the same range.
    expect(ipamError(() => ipam.requestPool({ ...local, pool: parseCidr('172.28.0.0/16'), subPool: parseCidr('172.28.5.0/24') })).code)
      .to.equal('poolOverlap');
    // The parent lives until its last range pool goes.
    ipam.releasePool(g.poolId);
    expect(ipam.isAllocated(h.poolId, parseIpv4('172.28.0.9'))).to.equal(true);
    ipam.releasePool(h.poolId);
    expect(ipam.allocatedPools()).to.deep.equal([]);
  });

  it('a full range reports no available addresses', () => {
    const ipam = new Ipam(ENGINE_19_03);
    const g = ipam.requestPool({ ...local, pool: parseCidr('10.9.0.0/24'), subPool: parseCidr('10.9.0.8/31') });
    ipam.requestAddress(g.poolId);
    ipam.requestAddress(g.poolId);
    const e = ipamError(() => ipam.requestAddress(g.poolId));
    expect(e.code).to.equal('noAvailableAddresses');
    expect(e.message).to.equal('No available addresses on this pool');
  });
});

describe('docker IPAM: addresses', () => {
  it('gives the lowest free address and reuses a released one at once', () => {
    const ipam = new Ipam(ENGINE_19_03);
    const g = ipam.requestPool({ ...local, pool: parseCidr('10.0.0.0/24') });
    const got = [0, 1, 2].map(() => formatIpv4(ipam.requestAddress(g.poolId)));
    expect(got).to.deep.equal(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    ipam.releaseAddress(g.poolId, parseIpv4('10.0.0.2'));
    expect(formatIpv4(ipam.requestAddress(g.poolId))).to.equal('10.0.0.2');
    expect(formatIpv4(ipam.requestAddress(g.poolId))).to.equal('10.0.0.4');
  });

  it('refuses a taken, an out-of-pool, the network and the broadcast address', () => {
    const ipam = new Ipam(ENGINE_19_03);
    const g = ipam.requestPool({ ...local, pool: parseCidr('10.0.0.0/24') });
    ipam.requestAddress(g.poolId, parseIpv4('10.0.0.7'));
    expect(ipamError(() => ipam.requestAddress(g.poolId, parseIpv4('10.0.0.7'))).message).to.equal('Address already in use');
    expect(ipamError(() => ipam.requestAddress(g.poolId, parseIpv4('10.0.0.0'))).code).to.equal('addressInUse');
    expect(ipamError(() => ipam.requestAddress(g.poolId, parseIpv4('10.0.0.255'))).code).to.equal('addressInUse');
    expect(ipamError(() => ipam.requestAddress(g.poolId, parseIpv4('10.0.1.1'))).message).to.equal('Requested address is out of range');
  });

  it('exhausts a /29 after its six host addresses (v29 wording)', () => {
    const ipam = new Ipam(ENGINE_29);
    const g = ipam.requestPool({ ...local, pool: parseCidr('10.0.0.0/29') });
    for (let i = 0; i < 6; i++) ipam.requestAddress(g.poolId);
    expect(ipamError(() => ipam.requestAddress(g.poolId)).message).to.equal('no available addresses on this pool');
  });

  it('a /31 has no usable address in 19.03 and two in v29', () => {
    const old = new Ipam(ENGINE_19_03);
    const a = old.requestPool({ ...local, pool: parseCidr('10.0.0.0/31') });
    expect(ipamError(() => old.requestAddress(a.poolId)).code).to.equal('noAvailableAddresses');
    const cur = new Ipam(ENGINE_29);
    const b = cur.requestPool({ ...local, pool: parseCidr('10.0.0.0/31') });
    expect([cur.requestAddress(b.poolId), cur.requestAddress(b.poolId)].map(formatIpv4)).to.deep.equal(['10.0.0.0', '10.0.0.1']);
  });

  it('handles a /8 user pool without allocating its whole bitmap up front', () => {
    const ipam = new Ipam(ENGINE_19_03);
    const g = ipam.requestPool({ ...local, pool: parseCidr('10.0.0.0/8') });
    expect(formatIpv4(ipam.requestAddress(g.poolId, parseIpv4('10.200.3.4')))).to.equal('10.200.3.4');
    expect(formatIpv4(ipam.requestAddress(g.poolId))).to.equal('10.0.0.1');
    expect(ipam.usedAddresses(g.poolId)).to.equal(4);
  });
});
