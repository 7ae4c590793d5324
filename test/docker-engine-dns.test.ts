// What a container's embedded DNS server knows (SandboxDnsNames, libnetwork's ResolveName and
// ResolveIP) and when the engine starts one.
import { expect } from 'chai';
import { formatIpv4, parseIpv4 } from '../src/wire';
import { SandboxDnsNames } from '../src/docker';
import type { ExternalResolver, ExternalResolverStarter } from '../src/docker';
import { dockerHost } from './docker-engine-harness';

function namesOf(h: ReturnType<typeof dockerHost>, container: string): SandboxDnsNames {
  const sb = h.engine.getContainer(container).sandbox;
  if (!sb) throw new Error(`${container} is not running`);
  return new SandboxDnsNames(sb);
}

const ips = (v: number[] | undefined) => v?.map(formatIpv4);

describe('docker embedded DNS: names', () => {
  it('resolves container names, network aliases and (19.03) short IDs, case-insensitively, with or without a trailing dot', () => {
    const h = dockerHost();
    h.ok('docker network create --subnet 10.10.0.0/24 appnet');
    const web = h.ok('docker run -dit --name web --network appnet --network-alias frontend alpine ash').trim();
    h.ok('docker run -dit --name client --network appnet alpine ash');
    const dns = namesOf(h, 'client');
    expect(ips(dns.lookup('web'))).to.deep.equal(['10.10.0.2']);
    expect(ips(dns.lookup('WEB.'))).to.deep.equal(['10.10.0.2']);
    expect(ips(dns.lookup('frontend'))).to.deep.equal(['10.10.0.2']);
    expect(ips(dns.lookup(web.slice(0, 12)))).to.deep.equal(['10.10.0.2']);
    expect(ips(dns.lookup('client'))).to.deep.equal(['10.10.0.3']);
    expect(dns.lookup('nosuchhost')).to.equal(undefined);
    expect(dns.lookup(web.slice(0, 11))).to.equal(undefined);
  });

  it('"name.network" is the name in that network only; one alias on two containers gives both addresses', () => {
    const h = dockerHost();
    h.ok('docker network create --subnet 10.10.0.0/24 appnet');
    h.ok('docker network create --subnet 10.20.0.0/24 other');
    h.ok('docker run -dit --name web1 --network appnet --network-alias www alpine ash');
    h.ok('docker run -dit --name web2 --network appnet --network-alias www alpine ash');
    h.ok('docker run -dit --name client --network appnet alpine ash');
    const dns = namesOf(h, 'client');
    expect(ips(dns.lookup('web1.appnet'))).to.deep.equal(['10.10.0.2']);
    expect(dns.lookup('web1.other')).to.equal(undefined);
    expect(ips(dns.lookup('www'))).to.deep.equal(['10.10.0.2', '10.10.0.3']);
  });

  it('reverse lookups answer "<name>.<network>"; unknown addresses are not known', () => {
    const h = dockerHost();
    h.ok('docker network create --subnet 10.10.0.0/24 appnet');
    h.ok('docker run -dit --name web --network appnet --network-alias frontend alpine ash');
    h.ok('docker run -dit --name client --network appnet alpine ash');
    const dns = namesOf(h, 'client');
    expect(dns.reverse(parseIpv4('10.10.0.2'))).to.equal('web.appnet');
    expect(dns.reverse(parseIpv4('10.10.0.99'))).to.equal(undefined);
  });

  it('a container only sees the networks it is attached to; connect adds one, a stopped container is gone', () => {
    const h = dockerHost();
    h.ok('docker network create --subnet 10.10.0.0/24 front');
    h.ok('docker network create --subnet 10.20.0.0/24 back');
    h.ok('docker run -dit --name db --network back alpine ash');
    h.ok('docker run -dit --name app --network front alpine ash');
    const dns = namesOf(h, 'app');
    expect(dns.lookup('db')).to.equal(undefined);
    h.ok('docker network connect back app');
    expect(ips(dns.lookup('db'))).to.deep.equal(['10.20.0.2']);
    h.ok('docker stop -t 0 db');
    expect(dns.lookup('db')).to.equal(undefined);
  });

  it('containers on the default bridge register no names', () => {
    const h = dockerHost();
    h.ok('docker network create appnet');
    h.ok('docker run -dit --name plain alpine ash');
    h.ok('docker run -dit --name client --network appnet alpine ash');
    h.ok('docker network connect bridge client');
    expect(namesOf(h, 'client').lookup('plain')).to.equal(undefined);
  });
});

describe('docker embedded DNS: when the server runs', () => {
  it('starts once per container on a user-defined network, with the host\'s resolvers to forward to; never on the default bridge', () => {
    const started: { ns: string; external: readonly ExternalResolver[] }[] = [];
    let stopped = 0;
    const starter: ExternalResolverStarter = (ns, _names, config) => {
      started.push({ ns: ns.name, external: config.external });
      return () => { stopped++; };
    };
    const h = dockerHost({ resolvers: ['192.168.1.1', '127.0.0.53'], embeddedDns: starter });
    h.ok('docker run -dit --name plain alpine ash');
    expect(started).to.have.length(0);
    expect(h.ok('docker exec plain cat /etc/resolv.conf')).to.equal('nameserver 192.168.1.1\n');
    h.ok('docker network create appnet');
    h.ok('docker network create other');
    h.ok('docker run -dit --name client --network appnet alpine ash');
    h.ok('docker network connect other client');
    expect(started).to.have.length(1);
    expect(started[0]!.external).to.deep.equal([
      { ip: '192.168.1.1', hostLoopback: false },
      { ip: '127.0.0.53', hostLoopback: true },
    ]);
    h.ok('docker stop -t 0 client');
    expect(stopped).to.equal(1);
  });

  it('busybox ping on the default bridge cannot resolve a container name', () => {
    const h = dockerHost();
    h.ok('docker run -dit --name container1 alpine ash');
    h.ok('docker run -dit --name container2 alpine ash');
    const r = h.run('docker exec container1 ping -c 1 container2', 60);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal("ping: bad address 'container2'\n");
  });
});

describe('docker embedded DNS: queries from a container', () => {
  function appHost(options: Parameters<typeof dockerHost>[0] = {}) {
    const h = dockerHost(options);
    h.ok('docker network create --subnet 10.10.0.0/24 appnet');
    const web = h.ok('docker run -dit --name web --network appnet --network-alias frontend alpine ash').trim();
    h.ok('docker run -dit --name client --network appnet alpine ash');
    return { h, web };
  }

  it('nslookup through 127.0.0.11 finds names, aliases and short IDs, with TTL 600 answers', () => {
    const { h, web } = appHost();
    const byName = h.ok('docker exec client nslookup web');
    expect(byName).to.contain('Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n');
    expect(byName).to.contain('Name:\tweb\nAddress: 10.10.0.2\n');
    expect(h.ok('docker exec client nslookup frontend')).to.contain('Name:\tfrontend\nAddress: 10.10.0.2\n');
    expect(h.ok(`docker exec client nslookup ${web.slice(0, 12)}`)).to.contain(`Name:\t${web.slice(0, 12)}\nAddress: 10.10.0.2\n`);
    expect(h.ok('docker exec client dig +noall +answer web')).to.match(/^web\.\s+600\s+IN\s+A\s+10\.10\.0\.2\n$/);
  });

  it('reverse lookups answer name.network', () => {
    const { h } = appHost();
    expect(h.ok('docker exec client nslookup 10.10.0.2')).to.contain('2.0.10.10.in-addr.arpa\tname = web.appnet\n');
  });

  it('an unknown name is forwarded; with no upstream answering, 19.03 never replies and v29 says SERVFAIL', () => {
    const old = appHost({ resolvers: ['172.17.0.1'] }).h;
    const r = old.run('docker exec client nslookup nosuchhost', 60);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.contain(';; connection timed out; no servers could be reached');
    const cur = appHost({ resolvers: ['172.17.0.1'], engine: '29' }).h;
    expect(cur.ok('docker exec client dig nosuchhost')).to.contain(';; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: ');
  });
});
