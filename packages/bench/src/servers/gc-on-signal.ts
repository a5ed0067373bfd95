/** Every benchmarked server imports this: SIGUSR2 runs a full GC, so memory is compared after garbage is gone. */
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
