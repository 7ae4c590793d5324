// Capture files: pcap and pcapng writers (bytes into a sink) and a reader for tests.
export * from './byte-sink';
export * from './pcap-writer';
export * from './pcapng-writer';
export * from './pcap-reader';
