// The `iptables` program (1.8.4, legacy) over a namespace's netfilter tables.
export * from './iptables-problem';
export * from './services';
export * from './ip-arguments';
export * from './iptables-extensions';
export * from './iptables-parse';
export * from './iptables-format';
export * from './iptables-run';
export * from './iptables-program';
