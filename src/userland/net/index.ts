// The network tools of an alpine container: busybox ping, traceroute, nslookup, nc and BIND's dig.
export { registerNetTools, type NetToolsOptions } from './register-net-tools';
export { ping, PING_DEFAULTS } from './ping';
export { traceroute, TRACEROUTE_DEFAULTS } from './traceroute';
export { nslookup, NSLOOKUP_DEFAULTS } from './nslookup';
export { makeDig, DIG_DEFAULTS, type DigOptions } from './dig';
export { nc } from './nc';
export { PROCESS_ID_DEFAULTS, type NetProgram } from './net-program';
export { MUSL_STRERROR } from './socket-errors';
