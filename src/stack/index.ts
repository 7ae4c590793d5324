/**
 * The namespace IP stack: interfaces, addresses, routes, ARP, IPv4 input/forward/output, ICMP,
 * UDP sockets, and the netfilter seam.
 *
 * Programmatic API (what tests, the scenario runner and the Docker emulation use):
 *
 *   const scheduler = new Scheduler();
 *   const deps = { scheduler, rng: Rng.fromSeed(1), trace: new TraceBus() };
 *
 *   // Namespaces: `lo` (ifindex 1, 127.0.0.1/8) exists from the start.
 *   const host = new NetworkNamespace(deps, 'host', { forwarding: true });
 *   const c1 = new NetworkNamespace(deps, 'c1');
 *
 *   // A bridge and the host's interface on it (the bridge's selfPort is br0's link end).
 *   const br0 = new Bridge(deps, { name: 'br0', mac: parseMac('02:00:00:00:00:01') });
 *   host.addInterface(new Nic(deps, br0.selfPort, { name: 'br0', mac: br0.mac }));
 *   host.addAddress('br0', '10.0.0.1/24');               // + "10.0.0.0/24 dev br0 proto kernel …"
 *
 *   // A veth pair: one end enslaved to the bridge, the other a container's eth0.
 *   const veth = new VethPair(deps, ['veth1', 'c1:eth0']);
 *   br0.addPort(veth.a, { name: 'veth1' });
 *   c1.addInterface(new Nic(deps, veth.b, { name: 'eth0', mac: parseMac('02:42:0a:00:00:02') }));
 *   c1.addAddress('eth0', '10.0.0.2/24');
 *   c1.addRoute({ dst: 'default', via: '10.0.0.1' });
 *
 *   // Captures wrap a link: new LinkCapture(scheduler, veth, { record(timeNs, frame) { … } })
 *   // records both directions; made after the devices attached, it stands in front of them
 *   // (see devices/capture-tap.ts).
 *
 *   // A VTEP: the host's underlay UDP is a NamespaceUnderlay; its socket on 4789 feeds the
 *   // endpoint (or a VxlanDemux shared by several VNIs).
 *   host.addAddress('eth0', '192.168.50.11/24');        // the underlay interface
 *   const underlay = new NamespaceUnderlay(host, parseIpv4('192.168.50.11'));
 *   const vxlan = new VxlanEndpoint(deps, { name: 'vxlan0', vni: 4097, mac, proxyArp: true, learning: false }, underlay);
 *   underlay.listen(vxlan);
 *   const l = new Link(deps, ['vxlan0', 'br0:vxlan0'], { ...INTERNAL_LINK, mtu: 1450 });
 *   vxlan.attach(l.a); br0.addPort(l.b, { name: 'vxlan0' });
 *   vxlan.fdbAdd(remoteMac, remoteVtepIp); vxlan.neighAdd(remoteIp, remoteMac);
 *
 *   // Traffic: UDP sockets and raw ICMP sockets, then run the scheduler.
 *   const s = c1.udp.bind(0);                             // ephemeral port
 *   s.onMessage((payload, srcIp, srcPort, dstIp) => { … });
 *   s.send(parseIpv4('10.0.0.3'), 9, payload, { ttl: 1 });
 *   const ping = c1.icmp.open();
 *   ping.onMessage((m) => { … m.message.type, m.ttl … });
 *   ping.sendEcho(parseIpv4('10.0.0.3'), id, seq, data);
 *   scheduler.run({ until: sec(5) });
 *
 * Inspection: `ns.routes.routes()`, `ns.neighbours.entries()`, `ns.interfaces()`,
 * `ns.addresses()`, `ns.drops.entries()`, `ns.ipv4.stats`, `ns.icmp.stats`, `ns.udp.stats`.
 * Netfilter: `ns.netfilter.register('postrouting', 100, handler)` (netfilter-hooks.ts).
 */
export * from './stack-error';
export * from './drop-counters';
export * from './cast';
export * from './net-interface';
export * from './routing-table';
export * from './neighbour-table';
export * from './ip-identification';
export * from './fragmentation';
export * from './reassembly';
export * from './icmp-rate-limit';
export * from './path-mtu-cache';
export * from './netfilter-hooks';
export * from './ipv4-layer';
export * from './arp-layer';
export * from './icmp-socket';
export * from './icmp-layer';
export * from './udp-socket';
export * from './udp-layer';
export * from './network-namespace';
export * from './underlay-transport';
export * from './netlink-error';
export * from './netdev-port';
export type { Netdev, NetdevKind, OperState, VxlanConfig } from './netdev';
export * from './vxlan-underlay';
export * from './machine';
export * from './netfilter';
