// The data plane: ports and links, NICs, the learning bridge, the VXLAN endpoint, capture and fault taps.
export * from './port';
export * from './link-params';
export * from './link';
export * from './frame-buffer';
export * from './nic';
export * from './bridge';
export * from './vxlan-source-port';
export * from './vxlan-endpoint';
export * from './vxlan-demux';
export * from './capture-tap';
export * from './fault-injector';
export * from './vlan-subinterface';
