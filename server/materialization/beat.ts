import "server-only";

/**
 * A heartbeat timer (docs/adr/0016-run-heartbeats-and-retries.md): calls `beat` every `intervalMs`
 * (one beat at a time) while the work shows signs of life; once `alive()` has not been called for
 * `stallMs` the work is stuck, and the beats stop so that it can be taken over.
 */
export interface Beating {
  /** The work made progress (a batch settled, a poll answered). */
  alive(): void;
  /** Stops the timer and waits for a beat in flight. */
  stop(): Promise<void>;
}

export function startBeating(opts: {
  intervalMs: number;
  stallMs: number;
  beat: () => Promise<unknown>;
  onError: (e: unknown) => void;
}): Beating {
  let lastAlive = Date.now();
  let beating: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (beating || Date.now() - lastAlive > opts.stallMs) return;
    beating = opts
      .beat()
      .catch(opts.onError)
      .finally(() => {
        beating = undefined;
      });
  }, opts.intervalMs);
  timer.unref();
  return {
    alive() {
      lastAlive = Date.now();
    },
    async stop() {
      clearInterval(timer);
      await beating;
    },
  };
}
