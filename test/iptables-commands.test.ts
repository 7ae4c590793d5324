// The `iptables` program's commands, listings and complaints, byte for byte as iptables 1.8.4
// (legacy) prints them.
import { expect } from 'chai';
import { NetworkNamespace, netfilterOf } from '../src/stack';
import { MemoryFiles, ProgramRegistry, UsageError, namesFromFiles, registerIptables, runIptables } from '../src/userland';
import { iptables, ipt } from './netfilter-harness';
import { newSim } from './stack-harness';

function host(): NetworkNamespace {
  return new NetworkNamespace(newSim(), 'host');
}

const TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";

describe('iptables: commands and listings', () => {
  it('-S lists policies, then user chains sorted by name, then rules chain by chain', () => {
    const ns = host();
    ipt(ns, '-N', 'ZULU');
    ipt(ns, '-N', 'ALPHA');
    ipt(ns, '-A', 'ZULU', '-j', 'RETURN');
    ipt(ns, '-A', 'INPUT', '-s', '10.1.2.3', '-j', 'ALPHA');
    ipt(ns, '-A', 'ALPHA', '-d', '192.168.0.7/255.255.0.0', '!', '-p', 'udp', '-j', 'ACCEPT');
    ipt(ns, '-A', 'OUTPUT', '-o', 'veth+', '-p', 'tcp', '!', '--sport', '1000:2000', '--dport', 'http', '-j', 'REJECT', '--reject-with', 'host-prohib');
    expect(ipt(ns, '-S')).to.equal(
      '-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-N ALPHA\n-N ZULU\n'
      + '-A INPUT -s 10.1.2.3/32 -j ALPHA\n'
      + '-A OUTPUT -o veth+ -p tcp -m tcp ! --sport 1000:2000 --dport 80 -j REJECT --reject-with icmp-host-prohibited\n'
      + '-A ALPHA -d 192.168.0.0/16 ! -p udp -j ACCEPT\n'
      + '-A ZULU -j RETURN\n',
    );
    expect(ipt(ns, '-S', 'ALPHA')).to.equal('-N ALPHA\n-A ALPHA -d 192.168.0.0/16 ! -p udp -j ACCEPT\n');
    expect(ipt(ns, '-S', 'OUTPUT', '1')).to.equal('-A OUTPUT -o veth+ -p tcp -m tcp ! --sport 1000:2000 --dport 80 -j REJECT --reject-with icmp-host-prohibited\n');
  });

  it('-I, -D (by rule or number), -R, -C, -E, -Z, -F and -X do what libiptc does', () => {
    const ns = host();
    ipt(ns, '-A', 'FORWARD', '-i', 'a', '-j', 'ACCEPT');
    ipt(ns, '-A', 'FORWARD', '-i', 'b', '-j', 'ACCEPT');
    ipt(ns, '-I', 'FORWARD', '-i', 'c', '-j', 'DROP');
    ipt(ns, '-I', 'FORWARD', '3', '-i', 'd', '-j', 'DROP');
    expect(ipt(ns, '-L', 'FORWARD', '--line-numbers', '-v', '-n')).to.equal(
      'Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n'
      + 'num   pkts bytes target     prot opt in     out     source               destination         \n'
      + '1        0     0 DROP       all  --  c      *       0.0.0.0/0            0.0.0.0/0           \n'
      + '2        0     0 ACCEPT     all  --  a      *       0.0.0.0/0            0.0.0.0/0           \n'
      + '3        0     0 DROP       all  --  d      *       0.0.0.0/0            0.0.0.0/0           \n'
      + '4        0     0 ACCEPT     all  --  b      *       0.0.0.0/0            0.0.0.0/0           \n',
    );
    expect(iptables(ns, '-C', 'FORWARD', '-i', 'd', '-j', 'DROP').code).to.equal(0);
    expect(iptables(ns, '-C', 'FORWARD', '-i', 'd', '-j', 'ACCEPT')).to.deep.include({ code: 1, stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).\n' });
    ipt(ns, '-D', 'FORWARD', '-i', 'a', '-j', 'ACCEPT');
    ipt(ns, '-D', 'FORWARD', '1');
    ipt(ns, '-R', 'FORWARD', '2', '-i', 'e', '-j', 'ACCEPT');
    expect(ipt(ns, '-S', 'FORWARD')).to.equal('-P FORWARD ACCEPT\n-A FORWARD -i d -j DROP\n-A FORWARD -i e -j ACCEPT\n');
    ipt(ns, '-N', 'OLD');
    ipt(ns, '-A', 'FORWARD', '-j', 'OLD');
    ipt(ns, '-E', 'OLD', 'NEW');
    expect(ipt(ns, '-S')).to.contain('-N NEW\n').and.contain('-A FORWARD -j NEW\n').and.not.contain('OLD');
    expect(iptables(ns, '-X', 'NEW')).to.deep.include({ code: 1, stderr: 'iptables: Too many links.\n' });
    ipt(ns, '-A', 'NEW', '-j', 'RETURN');
    ipt(ns, '-D', 'FORWARD', '-j', 'NEW');
    expect(iptables(ns, '-X', 'NEW')).to.deep.include({ code: 1, stderr: 'iptables: Directory not empty.\n' });
    expect(ipt(ns, '-F', '-v')).to.equal("Flushing chain `INPUT'\nFlushing chain `FORWARD'\nFlushing chain `OUTPUT'\nFlushing chain `NEW'\n");
    ipt(ns, '-X');
    expect(ipt(ns, '-S')).to.equal('-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n');
  });

  it('-v prints counters with K/M/G suffixes, -x exact, -S -v as -c; -Z zeroes them', () => {
    const ns = host();
    ipt(ns, '-A', 'INPUT', '-c', '123456', '9876543210', '-j', 'ACCEPT');
    expect(ipt(ns, '-L', 'INPUT', '-v', '-n')).to.equal(
      'Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n'
      + ' pkts bytes target     prot opt in     out     source               destination         \n'
      + ' 123K 9877M ACCEPT     all  --  *      *       0.0.0.0/0            0.0.0.0/0           \n',
    );
    expect(ipt(ns, '-L', 'INPUT', '-v', '-n', '-x')).to.contain('\n  123456 9876543210 ACCEPT ');
    expect(ipt(ns, '-S', 'INPUT', '-v')).to.equal('-P INPUT ACCEPT -c 0 0\n-A INPUT -c 123456 9876543210 -j ACCEPT\n');
    ipt(ns, '-Z', 'INPUT');
    expect(ipt(ns, '-S', 'INPUT', '-v')).to.equal('-P INPUT ACCEPT -c 0 0\n-A INPUT -c 0 0 -j ACCEPT\n');
  });

  it('-L without -n names hosts from /etc/hosts, networks from /etc/networks, ports from /etc/services', () => {
    const ns = host();
    ipt(ns, '-t', 'nat', '-N', 'DOCKER');
    ipt(ns, '-t', 'nat', '-A', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DOCKER', '!', '--dst', '127.0.0.0/8');
    ipt(ns, '-t', 'nat', '-A', 'DOCKER', '!', '-i', 'docker0', '-p', 'tcp', '-m', 'tcp', '--dport', '8080', '-j', 'DNAT', '--to-destination', '172.17.0.2:80');
    ipt(ns, '-t', 'nat', '-A', 'POSTROUTING', '-s', '127.0.0.1', '-p', 'udp', '--sport', '53', '-j', 'SNAT', '--to-source', ':53');
    const files = new MemoryFiles({ '/etc/hosts': '127.0.0.1\tlocalhost\n127.0.1.1\tdocker-host\n' });
    const out = runIptables(netfilterOf(ns), ['iptables', '-t', 'nat', '-L'], namesFromFiles(files)).stdout;
    expect(out).to.contain('DOCKER     all  --  anywhere            !127.0.0.0/8          ADDRTYPE match dst-type LOCAL\n');
    files.write('/etc/networks', 'default\t\t0.0.0.0\nloopback\t127.0.0.0\nlink-local\t169.254.0.0\n'); // Debian's
    const debian = runIptables(netfilterOf(ns), ['iptables', '-t', 'nat', '-L', 'OUTPUT'], namesFromFiles(files)).stdout;
    expect(debian).to.contain('DOCKER     all  --  anywhere            !loopback/8           ADDRTYPE match dst-type LOCAL\n');
    expect(out).to.contain('DNAT       tcp  --  anywhere             anywhere             tcp dpt:http-alt to:172.17.0.2:80\n');
    expect(out).to.contain('SNAT       udp  --  localhost            anywhere             udp spt:domain to::53\n');
  });

  it('complains in iptables\' words, with its exit statuses', () => {
    const ns = host();
    ipt(ns, '-N', 'USED');
    ipt(ns, '-A', 'INPUT', '-j', 'USED');
    const cases: [string[], number, string][] = [
      [['-A', 'NOPE', '-j', 'ACCEPT'], 1, 'iptables: No chain/target/match by that name.\n'],
      [['-L', 'NOPE'], 1, 'iptables: No chain/target/match by that name.\n'],
      [['-N', 'USED'], 1, 'iptables: Chain already exists.\n'],
      [['-X', 'USED'], 1, 'iptables: Too many links.\n'],
      [['-X', 'INPUT'], 1, "iptables: Can't delete built-in chain. Run `dmesg' for more information.\n"],
      [['-P', 'USED', 'DROP'], 1, 'iptables: Bad built-in chain name.\n'],
      [['-P', 'INPUT', 'REJECT'], 1, "iptables: Bad policy name. Run `dmesg' for more information.\n"],
      [['-D', 'INPUT', '5'], 1, 'iptables: Index of deletion too big.\n'],
      [['-I', 'INPUT', '9', '-j', 'ACCEPT'], 1, 'iptables: Index of insertion too big.\n'],
      [['-D', 'INPUT', '-j', 'ACCEPT'], 1, 'iptables: Bad rule (does a matching rule exist in that chain?).\n'],
      [['-A', 'USED', '-j', 'USED'], 1, 'iptables: Too many levels of symbolic links.\n'],
      [['-A', 'INPUT', '-j', 'MISSING'], 2, `iptables v1.8.4 (legacy): Couldn't load target \`MISSING':No such file or directory\n\n${TRY}`],
      [['-A', 'INPUT', '-j', 'MASQUERADE'], 1, "iptables: Invalid argument. Run `dmesg' for more information.\n"],
      [['-A', 'INPUT', '-m', 'tcp', '--dport', '80', '-j', 'ACCEPT'], 1, "iptables: Invalid argument. Run `dmesg' for more information.\n"],
      [['-t', 'nat', '-A', 'PREROUTING', '-j', 'DROP'], 2, `iptables v1.8.4 (legacy): \nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n\n${TRY}`],
      [['-t', 'raw', '-S'], 3, "iptables v1.8.4 (legacy): can't initialize iptables table `raw': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.\n"],
      [['-A', 'INPUT', '-o', 'eth0', '-j', 'ACCEPT'], 2, `iptables v1.8.4 (legacy): Can't use -o with INPUT\n\n${TRY}`],
      [['-L', '-s', '1.2.3.4'], 2, `iptables v1.8.4 (legacy): Illegal option \`-s' with this command\n\n${TRY}`],
      [['-A', 'INPUT', '--dport', '80'], 2, `iptables v1.8.4 (legacy): unknown option "--dport"\n${TRY}`],
      [['-A', 'INPUT', '-s', 'nohost.example', '-j', 'ACCEPT'], 2, `iptables v1.8.4 (legacy): host/network \`nohost.example' not found\n${TRY}`],
      [['-A', 'INPUT', 'extra'], 2, `Bad argument \`extra'\n${TRY}`],
      [['-A', 'INPUT', '-D', 'INPUT'], 2, `iptables v1.8.4 (legacy): Cannot use -D with -A\n\n${TRY}`],
      [['-j', 'ACCEPT'], 2, `iptables v1.8.4 (legacy): no command specified\n${TRY}`],
      [['-A', 'INPUT', '-p', 'udp', '-m', 'conntrack', '--ctstate', 'NEW,BOGUS'], 2, `iptables v1.8.4 (legacy): conntrack: Bad value for "--ctstate" option: "BOGUS"\n${TRY}`],
    ];
    for (const [args, code, stderr] of cases) {
      const r = iptables(ns, ...args);
      expect(r.stderr, args.join(' ')).to.equal(stderr);
      expect(r.code, args.join(' ')).to.equal(code);
    }
    // Nothing above changed the tables.
    expect(ipt(ns, '-S')).to.equal('-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-N USED\n-A INPUT -j USED\n');
    expect(ipt(ns, '-V')).to.equal('iptables v1.8.4 (legacy)\n');
  });

  it('as a program: prints, exits, and turns a malformed command line into a UsageError', () => {
    const sim = newSim();
    const ns = new NetworkNamespace(sim, 'host');
    const registry = new ProgramRegistry<NetworkNamespace, unknown>();
    registerIptables(registry);
    const program = registry.lookup('iptables')!;
    const env = { scheduler: sim.scheduler, rng: sim.rng, ns, machine: undefined, files: new MemoryFiles(), hostname: 'host', programs: registry };
    const out: string[] = [];
    const codes: number[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(`ERR ${t}`) };
    program(['iptables', '-N', 'X'], env, io, (c) => codes.push(c));
    program(['iptables', '-N', 'X'], env, io, (c) => codes.push(c));
    program(['iptables', '-S', 'X'], env, io, (c) => codes.push(c));
    expect(out).to.deep.equal(['ERR iptables: Chain already exists.\n', '-N X\n']);
    expect(codes).to.deep.equal([0, 1, 0]);
    expect(() => program(['iptables', '--bogus'], env, io, () => {})).to.throw(UsageError, 'unknown option "--bogus"');
  });
});
