import { expect } from 'chai';
import { newMachine } from './machine-harness';

describe('ip netns', () => {
  it('adds, lists (with the ids the current namespace has for them) and deletes namespaces', () => {
    const { machine, term } = newMachine();
    term.ok('ip netns add c1');
    term.ok('ip netns add c2');
    expect(term.ok('ip netns')).to.equal('c1\nc2\n');
    term.ok('ip link add veth1 type veth peer name eth0');
    term.ok('ip link set eth0 netns c2');
    expect(term.ok('ip netns list')).to.equal('c1\nc2 (id: 0)\n');
    // From c2, the root namespace has id 0 and c1 none.
    expect(term.ok('ip netns list', machine.namespace('c2'))).to.equal('c1\nc2\n');
    term.ok('ip netns del c2');
    expect(term.ok('ip netns')).to.equal('c1\n');
    // The veth pair went with the namespace.
    expect(term.ok('ip -br link')).to.equal('lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> \n');
  });

  it('reports the file-system errors of iproute2', () => {
    const { term } = newMachine();
    term.ok('ip netns add c1');
    expect(term.run('ip netns add c1')).to.deep.equal({ stdout: '', stderr: 'Cannot create namespace file "/var/run/netns/c1": File exists\n', code: 1 });
    expect(term.run('ip netns del c9')).to.deep.equal({ stdout: '', stderr: 'Cannot remove namespace file "/var/run/netns/c9": No such file or directory\n', code: 1 });
    expect(term.run('ip netns exec c9 ip link')).to.deep.equal({ stdout: '', stderr: 'Cannot open network namespace "c9": No such file or directory\n', code: 1 });
    expect(term.run('ip -n c9 link')).to.deep.equal({ stdout: '', stderr: 'Cannot open network namespace "c9": No such file or directory\n', code: 255 });
    expect(term.usage('ip netns add a/b')).to.equal('Invalid netns name "a/b"');
    expect(term.usage('ip netns exec c1')).to.equal('No command specified');
    expect(term.usage('ip netns frob')).to.equal('Command "frob" is unknown, try "ip netns help".');
  });

  it('runs another program inside a namespace with ip netns exec', () => {
    const { term } = newMachine();
    term.ok('ip netns add c1');
    expect(term.ok('ip netns exec c1 ip link')).to.equal(
      '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n'
      + '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n');
    term.ok('ip netns exec c1 ip link set lo up');
    expect(term.ok('ip -n c1 -br addr')).to.equal('lo               UNKNOWN        127.0.0.1/8 \n');
    expect(term.run('ip netns exec c1 false').code).to.equal(1);
    expect(term.run('ip netns exec c1 frobnicate')).to.deep.equal({ stdout: '', stderr: 'exec of "frobnicate" failed: No such file or directory\n', code: 1 });
    // The process keeps the machine's hostname (ip netns does not change the UTS namespace).
    expect(term.ok('ip netns exec c1 hostname')).to.equal('host\n');
  });

  it('waits for a program that takes time', () => {
    const { sim, term } = newMachine();
    term.ok('ip netns add c1');
    const start = sim.scheduler.now;
    term.ok('ip netns exec c1 sleep 2');
    expect(sim.scheduler.now - start).to.equal(2e9);
  });
});
