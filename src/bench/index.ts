// The benchmark workloads of BENCH.md (W0–W3 and W3-10k; W4 needs the Docker swarm) and `cnmlab bench`.
export * from './bench-error';
export * from './workload';
export * from './datagram-stream';
export * from './counting-sink';
export * from './testbed';
export * from './scheduler-hold';
export * from './bridge-fanout';
export * from './overlay-pair';
export * from './router-chain';
export * from './run-bench';
