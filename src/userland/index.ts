// The userland layer: programs a step runs in a namespace, printing what the real tools print.
export * from './program';
export * from './usage-error';
export { registerIptables, runIptables, iptablesProgram, namesFromFiles, type IptablesResult, type IptablesNames } from './iptables';
export * from './net';
export * from './resolver';
export { registerIproute2, ipProgram, bridgeProgram, brctlProgram } from './iproute2';
export { registerBusyboxIp, busyboxIpProgram } from './busybox-ip';
export { registerBasicPrograms, arpProgram, catProgram, echoProgram, trueProgram, falseProgram, hostnameProgram, sleepProgram } from './basic';
