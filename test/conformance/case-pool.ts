// Runs a list of jobs with at most `width` at a time, in order, starting when the first
// result is asked for; each result is a promise the caller awaits. Tests ask in order, so
// the pool runs ahead of them and a test mostly finds its result ready.
export class Pool<T, R> {
  private readonly results = new Map<T, Promise<R>>();
  private readonly settle = new Map<T, { resolve: (r: R) => void; reject: (e: unknown) => void }>();
  private started = false;

  constructor(private readonly jobs: T[], private readonly run: (job: T) => Promise<R>, private readonly width: number) {
    for (const job of jobs) {
      const r = new Promise<R>((resolve, reject) => this.settle.set(job, { resolve, reject }));
      r.catch(() => undefined); // a failure is reported to the test that awaits it, not as an unhandled rejection
      this.results.set(job, r);
    }
  }

  result(job: T): Promise<R> {
    const r = this.results.get(job);
    if (!r) throw new Error("job is not in the pool");
    if (!this.started) this.start();
    return r;
  }

  private start(): void {
    this.started = true;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < this.jobs.length) {
        const job = this.jobs[next++];
        const s = this.settle.get(job)!;
        try {
          s.resolve(await this.run(job));
        } catch (e) {
          s.reject(e);
        }
      }
    };
    for (let i = 0; i < this.width; i++) void lane();
  }
}
