// The docker CLI's other commands on an emulated host: network connect/disconnect errors,
// prune, info, inspect templates, management-command aliases, unknown commands.
import { expect } from 'chai';
import { UsageError } from '../src/userland';
import { dockerHost } from './docker-engine-harness';

describe('docker CLI: network connect and disconnect', () => {
  it('connecting twice, disconnecting what is not connected, and the host network are refused with 19.03\'s texts', () => {
    const h = dockerHost();
    h.ok('docker network create net');
    const id = h.ok('docker run -dit --name c1 alpine ash').trim();
    h.ok('docker network connect net c1');
    const twice = h.run('docker network connect net c1');
    expect(twice).to.deep.equal({ stdout: '', stderr: 'Error response from daemon: endpoint with name c1 already exists in network net\n', code: 1 });
    h.ok('docker network disconnect net c1');
    expect(h.run('docker network disconnect net c1').stderr)
      .to.equal(`Error response from daemon: container ${id} is not connected to network net\n`);
    expect(h.run('docker network connect host c1').stderr)
      .to.equal('Error response from daemon: container cannot be disconnected from host network or connected to host network\n');
    expect(h.run('docker network connect nosuchnet c1').stderr).to.equal('Error response from daemon: network nosuchnet not found\n');
    expect(h.run('docker network connect net nosuch').stderr).to.equal('Error response from daemon: No such container: nosuch\n');
  });

  it('--alias on the default bridge is refused; --ip and --alias on a user network are used', () => {
    const h = dockerHost();
    h.ok('docker network create --subnet 10.5.0.0/24 net');
    h.ok('docker run -dit --name c1 --network net alpine ash');
    expect(h.run('docker network connect --alias x bridge c1').stderr)
      .to.equal('Error response from daemon: network-scoped alias is supported only for containers in user defined networks\n');
    h.ok('docker network create --subnet 10.6.0.0/24 other');
    h.ok('docker network connect --ip 10.6.0.77 --alias db other c1');
    expect(h.ok('docker exec c1 ip -o -4 addr show eth1')).to.contain(' inet 10.6.0.77/24 ');
    const aliases = h.ok('docker inspect -f \'{{json (index .NetworkSettings.Networks "other").Aliases}}\' c1').trim();
    expect(JSON.parse(aliases)[0]).to.equal('db');
  });

  it('a stopped container is connected at its next start', () => {
    const h = dockerHost();
    h.ok('docker network create --subnet 10.5.0.0/24 net');
    h.ok('docker create --name later alpine sleep 1d');
    h.ok('docker network connect net later');
    h.ok('docker start later');
    const out = h.ok('docker exec later ip -o -4 addr');
    expect(out).to.match(/^\d+: eth0 +inet 172\.17\.0\.2\/16 /m);
    expect(out).to.match(/^\d+: eth1 +inet 10\.5\.0\.2\/24 /m);
  });
});

describe('docker CLI: network prune, info, inspect, aliases', () => {
  it('network prune -f removes the unused user networks and lists them', () => {
    const h = dockerHost();
    h.ok('docker network create unused1');
    h.ok('docker network create used');
    h.ok('docker network create unused2');
    h.ok('docker run -dit --name c1 --network used alpine ash');
    expect(h.ok('docker network prune -f')).to.equal('Deleted Networks:\nunused1\nunused2\n\n');
    expect(h.ok('docker network ls --format "{{.Name}}"')).to.equal('bridge\nhost\nnone\nused\n');
    expect(h.ok('docker network prune')).to.equal(
      'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ');
  });

  it('docker info counts containers and lists the network drivers', () => {
    const h = dockerHost();
    h.ok('docker run -dit --name c1 alpine ash');
    h.ok('docker run -d --name c2 alpine');
    h.sleep(1);
    const info = h.ok('docker info');
    expect(info).to.contain('Server:\n Containers: 2\n  Running: 1\n  Paused: 0\n  Stopped: 1\n Images: 1\n Server Version: 19.03.15\n');
    expect(info).to.contain('  Network: bridge host null\n');
    expect(info).to.contain(' Name: docker-host\n');
  });

  it('inspect finds containers and networks; a missing object prints [] and an error', () => {
    const h = dockerHost();
    h.ok('docker run -dit --name c1 alpine ash');
    expect(h.ok('docker inspect -f "{{.Name}} {{.State.Status}} {{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}}" c1'))
      .to.equal('/c1 running 172.17.0.2 02:42:ac:11:00:02\n');
    expect(h.ok('docker inspect -f "{{.Name}} {{.Driver}}" bridge')).to.equal('bridge bridge\n');
    expect(h.run('docker inspect nothing')).to.deep.equal({ stdout: '[]\n', stderr: 'Error: No such object: nothing\n', code: 1 });
    expect(h.ok('docker inspect -f "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.Gateway}}{{end}}" c1')).to.equal('bridge=172.17.0.1\n');
  });

  it('management commands reach the same code; unknown commands and flags are Docker\'s errors', () => {
    const h = dockerHost();
    h.ok('docker container run -dit --name c1 alpine ash');
    expect(h.ok('docker container ls --format "{{.Names}}"')).to.equal('c1\n');
    expect(h.run('docker frobnicate')).to.deep.equal({ stdout: '', stderr: "docker: 'frobnicate' is not a docker command.\nSee 'docker --help'\n", code: 1 });
    expect(h.run('docker ps --bogus')).to.deep.equal({ stdout: '', stderr: "unknown flag: --bogus\nSee 'docker ps --help'.\n", code: 125 });
    expect(() => h.run('docker run -d -p 8080:80 alpine')).to.throw(UsageError, /-p/);
  });
});
