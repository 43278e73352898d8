// Events leave through a small queue with a few requests in flight (upstream's broadcaster hands
// events to its sink one at a time), so a burst of Scheduled events does not compete with the
// bindings for connections and API server time; they catch up once the burst is over.

export class EventSink {
  private readonly jobs: (() => Promise<void>)[] = [];
  private head = 0;
  private inFlight = 0;

  constructor(private readonly concurrency = 2) {}

  /** pending + in flight */
  get backlog(): number { return this.jobs.length - this.head + this.inFlight; }

  /** Runs `send` when a slot is free; resolves once it has run (its failure is its own business). */
  send(send: () => Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      this.jobs.push(() => send().catch(() => {}).then(resolve));
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.head < this.jobs.length) {
      const job = this.jobs[this.head++];
      if (this.head > 1024 && this.head * 2 > this.jobs.length) { this.jobs.splice(0, this.head); this.head = 0; }
      this.inFlight++;
      void job().then(() => { this.inFlight--; this.pump(); });
    }
  }
}
