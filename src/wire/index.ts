// The wire layer: codecs, addresses and checksums. Pure functions and views; no state.
export * from './wire-error';
export * from './assert-never';
export * from './bytes';
export * from './mac-address';
export * from './ipv4-address';
export * from './checksum';
export * from './ethernet';
export * from './arp';
export * from './ipv4';
export * from './icmp';
export * from './udp';
export * from './dns';
export * from './vxlan';
export * from './frame-summary';
