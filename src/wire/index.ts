// The wire layer: codecs, addresses and checksums. Pure functions and views; no state.
export * from './wire-error';
export * from './bytes';
export * from './mac-address';
export * from './ipv4-address';
export * from './checksum';
export * from './ethernet';
