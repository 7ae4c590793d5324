// Docker's embedded DNS server (127.0.0.11) in a container's namespace.
export * from './embedded-dns-server';
