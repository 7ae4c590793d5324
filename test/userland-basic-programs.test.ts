import { expect } from 'chai';
import { parseIpv4 } from '../src/wire';
import { advance, newMachine } from './machine-harness';

describe('arp -n', () => {
  it('lists /proc/net/arp in busybox\'s format: complete, incomplete and permanent entries', () => {
    const { sim, machine, term } = newMachine();
    for (const l of [
      'ip netns add a', 'ip netns add b',
      'ip link add va type veth peer name vb address 02:00:00:00:00:0b',
      'ip link set va netns a name eth0', 'ip link set vb netns b name eth0',
      'ip -n a link set eth0 up', 'ip -n b link set eth0 up',
      'ip -n a addr add 10.0.0.1/24 dev eth0', 'ip -n b addr add 10.0.0.2/24 dev eth0',
      'ip -n a neigh add 10.0.0.50 lladdr 02:00:00:00:00:50 dev eth0',
      'ip -n a neigh add 10.0.0.51 lladdr 02:00:00:00:00:51 dev eth0 nud noarp',
    ]) term.ok(l);
    const a = machine.namespace('a')!;
    const sock = a.icmp.open();
    sock.sendEcho(parseIpv4('10.0.0.2'), 1, 1, new Uint8Array(8));
    sock.sendEcho(parseIpv4('10.0.0.9'), 1, 1, new Uint8Array(8));
    advance(sim, 0.5);
    expect(term.ok('arp -n', a)).to.equal(
      '? (10.0.0.2) at 02:00:00:00:00:0b [ether]  on eth0\n'
      + '? (10.0.0.9) at <incomplete>  on eth0\n'
      + '? (10.0.0.50) at 02:00:00:00:00:50 [ether] PERM  on eth0\n');
    expect(term.ok('arp -a -n 10.0.0.2', a)).to.equal('? (10.0.0.2) at 02:00:00:00:00:0b [ether]  on eth0\n');
    expect(term.ok('arp -n -i eth1', a)).to.equal('No match found in 3 entries\n');
    expect(term.ok('arp -nv', a)).to.match(/\nEntries: 3\tSkipped: 0\tFound: 3\n$/);
    expect(term.usage('arp -x', a)).to.equal('unrecognized option: x');
  });
});

describe('hostname, cat, echo, true, false, sleep', () => {
  it('prints the hostname, -s its first label', () => {
    const { term } = newMachine('web1.example.com');
    expect(term.ok('hostname')).to.equal('web1.example.com\n');
    expect(term.ok('hostname -s')).to.equal('web1\n');
  });

  it('cats virtual files and reports missing ones busybox-style', () => {
    const { term } = newMachine();
    term.files.write('/etc/hosts', '127.0.0.1\tlocalhost\n');
    term.files.write('/etc/resolv.conf', 'nameserver 127.0.0.11\n');
    expect(term.ok('cat /etc/hosts /etc/resolv.conf')).to.equal('127.0.0.1\tlocalhost\nnameserver 127.0.0.11\n');
    expect(term.run('cat /etc/hosts /nope')).to.deep.equal({ stdout: '127.0.0.1\tlocalhost\n', stderr: "cat: can't open '/nope': No such file or directory\n", code: 1 });
  });

  it('echoes, with -n and -e', () => {
    const { term } = newMachine();
    expect(term.ok('echo hello world')).to.equal('hello world\n');
    expect(term.ok('echo -n a')).to.equal('a');
    expect(term.ok('echo -e a\\tb\\ncd')).to.equal('a\tb\ncd\n');
    expect(term.ok('echo -e stop\\cnever')).to.equal('stop');
    expect(term.ok('echo -x')).to.equal('-x\n');
  });

  it('exits 0 and 1', () => {
    const { term } = newMachine();
    expect(term.run('true --whatever').code).to.equal(0);
    expect(term.run('false').code).to.equal(1);
  });

  it('sleeps in simulated time, adding its arguments and their suffixes', () => {
    const { sim, term } = newMachine();
    const t0 = sim.scheduler.now;
    term.ok('sleep 1.5 2s');
    expect(sim.scheduler.now - t0).to.equal(3.5e9);
    const t1 = sim.scheduler.now;
    term.ok('sleep 0.01m');
    expect(sim.scheduler.now - t1).to.equal(0.6e9);
    expect(term.run('sleep 3x')).to.deep.equal({ stdout: '', stderr: "sleep: invalid number '3x'\n", code: 1 });
  });
});
