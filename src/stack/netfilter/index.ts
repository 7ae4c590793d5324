// iptables in a namespace: filter and nat tables, connection tracking, NAT, br_netfilter.
export * from './rule-spec';
export * from './netfilter-error';
export * from './xt-table';
export * from './packet-info';
export * from './conntrack';
export * from './nat-rewrite';
export * from './rule-matcher';
export * from './netfilter';
