// The scenario layer: loading and validation of scenario files (SCENARIOS.md "File format").
export * from './scenario-error';
export * from './value-syntax-error';
export * from './units';
export * from './iso-time';
export * from './shell-words';
export * from './scenario-types';
export * from './scenario-defaults';
export * from './matcher';
export { loadScenarioText, scenarioNameFromFile, TOP_LEVEL_KEYS } from './load-scenario';
export { STEP_KEYS, EXPECT_KEYS, VARIABLE_NAME } from './load-steps';
export { LINK_KEYS, IFACE_KEYS, ROUTER_KEYS, HOST_KEYS, IMAGE_KEYS, NAME_PATTERN, MAX_NAME_LENGTH, MAX_IFNAME_LENGTH, MTU_RANGE } from './load-topology';
// The world, the runner, captures and the transcript.
export * from './world';
export * from './runner';
export * from './run-report';
export * from './run-scenario';
export * from './capture-naming';
export * from './capture-set';
export * from './transcript';
export * from './default-programs';
