// The one real-time wait of host and simulator (tests keep their own in test/support). Code that
// runs on virtual time waits through its Clock instead (clock.ts, virtual-clock.ts).

/** Resolves after `ms` milliseconds of real time. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
