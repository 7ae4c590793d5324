// busybox nc, UDP: a listener printing datagrams, the -z port probe, and what is refused.
import { expect } from 'chai';
import { sec } from '../src/sim';
import { UsageError } from '../src/userland';
import { nc } from '../src/userland/net';
import { bridgeTopology, ip, machine, newSim, run, spawn } from './userland-net-harness';

function setup() {
  const sim = newSim();
  const t = bridgeTopology(sim);
  const m1 = machine(t.c1);
  const m2 = machine(t.c2, undefined, '127.0.0.1\tlocalhost\n10.0.0.2\tc1\n');
  return { sim, ...t, m1, m2 };
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('userland: nc -u (busybox)', () => {
  it('a listener prints what its first peer sends, then exits at the second idle -w period', () => {
    const { sim, c1, m2 } = setup();
    const listener = spawn(sim, nc, ['nc', '-u', '-l', '-p', '9999', '-w', '3'], m2);
    const sender = c1.udp.bind(40000);
    sim.scheduler.schedule(sec(1), () => sender.send(ip('10.0.0.3'), 9999, text('hello\n')));
    sim.scheduler.schedule(sec(2), () => sender.send(ip('10.0.0.3'), 9999, text('world\n')));
    // Another sender after the listener connected to the first: refused (port unreachable).
    const other = c1.udp.bind(40001);
    const errors: number[] = [];
    other.onError((e) => errors.push(e.code));
    sim.scheduler.schedule(sec(2.5), () => other.send(ip('10.0.0.3'), 9999, text('intruder\n')));
    sim.scheduler.run({ until: sec(20) });
    expect(listener.result).to.include({ stdout: 'hello\nworld\n', stderr: '', exit: 0 });
    // Idle from 2 s: poll times out at 5 s (one retry left) and 8 s (none).
    expect(listener.result.elapsed).to.equal(sec(8) + 50_000); // the second datagram arrived at 2 s + 50 µs
    expect(errors).to.deep.equal([3]);
  });

  it('-v announces the listening socket and the peer (IPv6 socket, IPv4-mapped addresses)', () => {
    const { sim, c1, m2 } = setup();
    const listener = spawn(sim, nc, ['nc', '-v', '-u', '-l', '-p', '9999', '-w', '1'], m2);
    const sender = c1.udp.bind(40000);
    sender.send(ip('10.0.0.3'), 9999, text('hi\n'));
    sim.scheduler.run({ until: sec(5) });
    expect(listener.result.stderr).to.equal('listening on [::]:9999 ...\nconnect to [::ffff:10.0.0.3]:9999 from c1:40000 ([::ffff:10.0.0.2]:40000)\n');
    expect(listener.result.stdout).to.equal('hi\n');
  });

  it('-zu -w probes a UDP port: "open" when nothing objects, "Connection refused" after a port unreachable', () => {
    const { sim, m1, m2 } = setup();
    const listener = spawn(sim, nc, ['nc', '-u', '-l', '-p', '9999', '-w', '2'], m2);
    const open = run(sim, nc, ['nc', '-zuv', '-w', '1', '10.0.0.3', '9999'], m1);
    expect(open).to.include({ stdout: '', stderr: '10.0.0.3 (10.0.0.3:9999) open\n', exit: 0 });
    expect(open.elapsed).to.equal(sec(1));
    sim.scheduler.run({ until: sec(10) });
    // The probe is two NUL bytes.
    expect(listener.result.stdout).to.equal('\0\0');
    const closed = run(sim, nc, ['nc', '-zu', '-w', '1', '10.0.0.3', '9998'], m1);
    expect(closed).to.include({ stdout: '', stderr: 'nc: 10.0.0.3 (10.0.0.3:9998): Connection refused\n', exit: 1 });
  });

  it('a listener that hears nothing within -w says "timeout"', () => {
    const { sim, m2 } = setup();
    const r = run(sim, nc, ['nc', '-u', '-l', '-p', '9999', '-w', '2'], m2);
    expect(r).to.include({ stdout: '', stderr: 'nc: timeout\n', exit: 1 });
    expect(r.elapsed).to.equal(sec(2));
  });

  it('connecting with an empty stdin sends nothing and gives up after two -w periods', () => {
    const { sim, m1, c2 } = setup();
    const heard: number[] = [];
    c2.udp.bind(9999).onMessage((p) => heard.push(p.length));
    const r = run(sim, nc, ['nc', '-u', '-w', '1', '10.0.0.3', '9999'], m1);
    expect(r).to.include({ stdout: '', stderr: '', exit: 0 });
    expect(r.elapsed).to.equal(sec(2));
    expect(heard).to.deep.equal([]);
  });

  it('refuses TCP, -e and -o, and -z without -w (its wait needs TCP)', () => {
    const { sim, m1 } = setup();
    expect(() => run(sim, nc, ['nc', '10.0.0.3', '80'], m1)).to.throw(UsageError, 'TCP is not emulated');
    expect(() => run(sim, nc, ['nc', '-u', '-e', 'sh', '10.0.0.3', '80'], m1)).to.throw(UsageError, '-e PROG');
    expect(() => run(sim, nc, ['nc', '-zu', '10.0.0.3', '80'], m1)).to.throw(UsageError, '-z -u without -w');
    expect(() => run(sim, nc, ['nc', '-u', '10.0.0.3', 'http'], m1)).to.throw(UsageError, "bad port 'http'");
  });
});
