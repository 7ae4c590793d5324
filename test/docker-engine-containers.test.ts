// Containers on an emulated Docker host: the CLI's exact text (ps, inspect, errors), the
// lifecycle in simulated time, addresses held and released, files and network modes.
import { expect } from 'chai';
import { UsageError } from '../src/userland';
import { dockerHost } from './docker-engine-harness';

describe('docker containers: docker ps', () => {
  it('prints the 19.03 table: 20-wide columns, short ID, quoted command, CREATED and STATUS from simulated time', () => {
    const h = dockerHost();
    const id1 = h.ok('docker run -dit --name container1 alpine ash').trim();
    h.sleep(3);
    const id2 = h.ok('docker run -dt --name sleeper busybox sleep 1d').trim();
    h.sleep(5);
    expect(h.ok('docker ps')).to.equal(
      'CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS               NAMES\n'
      + `${id2.slice(0, 12)}        busybox             "sleep 1d"          5 seconds ago       Up 5 seconds                            sleeper\n`
      + `${id1.slice(0, 12)}        alpine              "ash"               8 seconds ago       Up 8 seconds                            container1\n`);
    expect(h.ok('docker ps -q')).to.equal(`${id2.slice(0, 12)}\n${id1.slice(0, 12)}\n`);
    expect(h.ok('docker ps --no-trunc --format "{{.ID}} {{.Names}} {{.Command}}"')).to.equal(`${id2} sleeper "sleep 1d"\n${id1} container1 "ash"\n`);
  });

  it('a shell without -i exits at once (Exited (0)); stop takes the 10 s timeout and ends in 137; ps -a shows both', () => {
    const h = dockerHost();
    h.ok('docker run -d --name quick alpine');
    h.ok('docker run -dit --name stays alpine ash');
    const t0 = h.scheduler.now;
    expect(h.ok('docker stop stays')).to.equal('stays\n');
    expect(h.scheduler.now - t0).to.equal(10e9);
    expect(h.ok('docker ps')).to.equal(
      'CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS               NAMES\n');
    const all = h.ok('docker ps -a --format "{{.Names}}: {{.Status}}"');
    expect(all).to.equal('stays: Exited (137) Less than a second ago\nquick: Exited (0) 10 seconds ago\n');
    expect(h.ok('docker stop -t 0 quick')).to.equal('quick\n');
  });

  it('long commands are cut to 20 characters with "…" unless --no-trunc', () => {
    const h = dockerHost();
    h.ok('docker run -d --name pinger alpine ping -c 100 -i 1 172.17.0.1');
    expect(h.ok('docker ps --format "{{.Command}}"')).to.equal('"ping -c 100 -i 1 17…"\n');
    expect(h.ok('docker ps --no-trunc --format "{{.Command}}"')).to.equal('"ping -c 100 -i 1 172.17.0.1"\n');
  });
});

describe('docker containers: lifecycle and errors', () => {
  it('names: given, or adjective_surname; a taken name is a conflict; a one-letter name is invalid', () => {
    const h = dockerHost();
    const id = h.ok('docker run -dit --name web alpine ash').trim();
    const r = h.run('docker run -dit --name web alpine ash');
    expect(r.code).to.equal(125);
    expect(r.stderr).to.equal(`docker: Error response from daemon: Conflict. The container name "/web" is already in use by container "${id}". `
      + "You have to remove (or rename) that container to be able to reuse that name.\nSee 'docker run --help'.\n");
    h.ok('docker run -dit alpine ash');
    expect(h.ok('docker ps --format "{{.Names}}"').split('\n')[0]).to.match(/^[a-z]+_[a-z]+$/);
    expect(h.run('docker run -d --name a alpine').stderr).to.contain('Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
  });

  it('rm refuses a running container unless forced; a missing one is "No such container"', () => {
    const h = dockerHost();
    const id = h.ok('docker run -dit --name c1 alpine ash').trim();
    const r = h.run('docker rm c1');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal(`Error response from daemon: You cannot remove a running container ${id}. Stop the container before attempting removal or force remove\n`);
    expect(h.ok('docker rm -f c1')).to.equal('c1\n');
    expect(h.run('docker rm c1').stderr).to.equal('Error: No such container: c1\n');
    expect(h.run('docker stop c1').stderr).to.equal('Error response from daemon: No such container: c1\n');
    const s = h.run('docker start c1');
    expect(s.stderr).to.equal('Error response from daemon: No such container: c1\nError: failed to start containers: c1\n');
  });

  it('an image cnmlab does not have is refused as a scenario error that points at images:', () => {
    const h = dockerHost();
    expect(() => h.run('docker run -d nosuchimage')).to.throw(UsageError, /images:/);
  });

  it('attached run prints the output and exits with the command\'s status; logs keep it', () => {
    const h = dockerHost();
    const r = h.run('docker run --name hello alpine echo hello world');
    expect(r).to.deep.equal({ stdout: 'hello world\n', stderr: '', code: 0 });
    expect(h.ok('docker logs hello')).to.equal('hello world\n');
    expect(h.run('docker run --rm alpine false').code).to.equal(1);
    expect(h.ok('docker ps -a --format "{{.Names}}"')).to.equal('hello\n');
  });

  it('exec runs in the container (hostname, files); a missing program is runc\'s error with status 127', () => {
    const h = dockerHost();
    const id = h.ok('docker run -dit --name c1 --hostname box1 alpine ash').trim();
    expect(h.ok('docker exec c1 hostname')).to.equal('box1\n');
    expect(h.ok('docker exec c1 cat /etc/hostname')).to.equal('box1\n');
    const r = h.run('docker exec c1 nosuchprogram');
    expect(r.code).to.equal(127);
    expect(r.stdout).to.equal('OCI runtime exec failed: exec failed: container_linux.go:349: starting container process caused '
      + '"exec: \\"nosuchprogram\\": executable file not found in $PATH": unknown\r\n');
    h.ok('docker stop -t 0 c1');
    expect(h.run('docker exec c1 hostname').stderr).to.equal(`Error response from daemon: Container ${id} is not running\n`);
  });
});

describe('docker containers: addresses', () => {
  it('a stopped container holds no address: the next one gets the lowest free, a restart may get another', () => {
    const h = dockerHost();
    h.ok('docker network create --subnet 10.9.0.0/24 net');
    h.ok('docker run -dit --name c1 --network net alpine ash');
    h.ok('docker run -dit --name c2 --network net alpine ash');
    const ip = (c: string) => h.ok(`docker inspect -f "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}" ${c}`).trim();
    expect([ip('c1'), ip('c2')]).to.deep.equal(['10.9.0.2', '10.9.0.3']);
    h.ok('docker stop -t 0 c1');
    expect(ip('c1')).to.equal('');
    h.ok('docker run -dit --name c3 --network net alpine ash');
    expect(ip('c3')).to.equal('10.9.0.2');
    h.ok('docker start c1');
    expect(ip('c1')).to.equal('10.9.0.4');
  });

  it('--ip picks the address on a user network; on the default bridge it is refused at start', () => {
    const h = dockerHost();
    h.ok('docker network create --subnet 10.9.0.0/24 net');
    h.ok('docker run -dit --name fixed --network net --ip 10.9.0.50 alpine ash');
    expect(h.ok('docker exec fixed ip -o -4 addr show eth0')).to.contain(' inet 10.9.0.50/24 ');
    const r = h.run('docker run -d --ip 172.17.0.9 alpine');
    expect(r.code).to.equal(125);
    expect(r.stderr).to.equal('docker: Error response from daemon: user specified IP address is supported on user defined networks only.\n');
  });

  it('a network with containers cannot be removed (19.03 text)', () => {
    const h = dockerHost();
    const id = h.ok('docker network create net').trim();
    h.ok('docker run -dit --name c1 --network net alpine ash');
    const r = h.run('docker network rm net');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal(`Error response from daemon: error while removing network: network net id ${id} has active endpoints\n`);
  });
});

describe('docker containers: network modes and files', () => {
  it('--network none has only lo; --network host sees the host\'s devices and hostname', () => {
    const h = dockerHost();
    h.ok('docker run -dit --name lonely --network none alpine ash');
    expect(h.ok('docker exec lonely ip -o link')).to.equal('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n');
    h.ok('docker run -dit --name hosted --network host alpine ash');
    expect(h.ok('docker exec hosted ip -o link')).to.contain(': docker0: ');
    expect(h.ok('docker exec hosted hostname')).to.equal('docker-host\n');
  });

  it('/etc/hosts lists the container\'s address and short ID; resolv.conf: host copy on the default bridge, 127.0.0.11 on user networks', () => {
    const h = dockerHost({ resolvers: ['192.168.1.1'] });
    const id = h.ok('docker run -dit --name c1 alpine ash').trim();
    expect(h.ok('docker exec c1 cat /etc/hosts')).to.equal(
      '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n'
      + `ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n172.17.0.2\t${id.slice(0, 12)}\n`);
    expect(h.ok('docker exec c1 cat /etc/resolv.conf')).to.equal('nameserver 192.168.1.1\n');
    h.ok('docker network create net');
    h.ok('docker run -dit --name c2 --network net alpine ash');
    expect(h.ok('docker exec c2 cat /etc/resolv.conf')).to.equal('nameserver 127.0.0.11\noptions ndots:0\n');
  });

  it('a host without resolvers: the default bridge falls back to Google\'s servers (19.03 FilterResolvDNS)', () => {
    const h = dockerHost();
    h.ok('docker run -dit --name c1 alpine ash');
    expect(h.ok('docker exec c1 cat /etc/resolv.conf')).to.equal('\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  });
});

describe('docker network inspect of the tutorial network', () => {
  it('has the tutorial\'s keys in the tutorial\'s order, Containers filled, the subnet as given', () => {
    const h = dockerHost();
    const nid = h.ok('docker network create -d bridge --subnet 10.0.0.1/24 demo-bridge').trim();
    const c1 = h.ok('docker run -dit --name container1 --network demo-bridge alpine ash').trim();
    const c2 = h.ok('docker run -dit --name container2 --network demo-bridge alpine ash').trim();
    const ep = (c: string) => h.engine.getContainer(c).networks.get('demo-bridge')!.endpoint!.id;
    const entry = (id: string, name: string, n: number) => [
      `            "${id}": {`,
      `                "Name": "${name}",`,
      `                "EndpointID": "${ep(name)}",`,
      `                "MacAddress": "02:42:0a:00:00:0${n}",`,
      `                "IPv4Address": "10.0.0.${n}/24",`,
      '                "IPv6Address": ""',
    ];
    // Containers are keyed by ID, in Go's sorted map order.
    const entries = [entry(c1, 'container1', 2), entry(c2, 'container2', 3)].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    expect(h.ok('docker network inspect demo-bridge')).to.equal([
      '[',
      '    {',
      '        "Name": "demo-bridge",',
      `        "Id": "${nid}",`,
      '        "Created": "2020-04-26T19:37:50Z",',
      '        "Scope": "local",',
      '        "Driver": "bridge",',
      '        "EnableIPv6": false,',
      '        "IPAM": {',
      '            "Driver": "default",',
      '            "Options": {},',
      '            "Config": [',
      '                {',
      '                    "Subnet": "10.0.0.1/24"',
      '                }',
      '            ]',
      '        },',
      '        "Internal": false,',
      '        "Attachable": false,',
      '        "Ingress": false,',
      '        "ConfigFrom": {',
      '            "Network": ""',
      '        },',
      '        "ConfigOnly": false,',
      '        "Containers": {',
      ...entries[0]!, '            },',
      ...entries[1]!, '            }',
      '        },',
      '        "Options": {},',
      '        "Labels": {}',
      '    }',
      ']',
      '',
    ].join('\n'));
  });
});
