// The stub resolver of an alpine container (musl libc): /etc/hosts, /etc/resolv.conf and DNS
// queries through the namespace's UDP stack, in simulated time.
export * from './address-literals';
export * from './resolv-conf';
export * from './hosts-file';
export * from './musl-query';
export * from './res-msend';
export * from './stub-resolver';
