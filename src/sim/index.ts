// The simulation core: simulated time, the event scheduler, seeded random streams, trace events.
export * from './time';
export * from './scheduler';
export * from './rng';
export * from './trace';
export * from './calendar';
