import "server-only";

/**
 * A hand-over point between a producer that pushes and a consumer that pulls (an async
 * generator): the tabular writers pull batches, while a build pushes slices and a DuckDB result
 * is read inside a callback. push() resolves once the consumer has taken the value (so at most
 * one value waits), to false when the consumer has gone (it stopped early or failed): the
 * producer then stops. end() and fail() finish the consumer's loop.
 */
export interface Pipe<T> {
  readonly items: AsyncGenerator<T, void>;
  push(value: T): Promise<boolean>;
  end(): void;
  fail(error: Error): void;
}

export function pipe<T>(): Pipe<T> {
  let slot: { value: T; taken: () => void } | undefined;
  let ended = false;
  let failure: Error | undefined;
  let gone = false;
  let wake: (() => void) | undefined;
  const wakeConsumer = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  async function* items(): AsyncGenerator<T, void> {
    try {
      for (;;) {
        if (slot) {
          const s = slot;
          slot = undefined;
          s.taken();
          yield s.value;
          continue;
        }
        if (failure) throw failure;
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      gone = true;
      slot?.taken();
      slot = undefined;
    }
  }
  return {
    items: items(),
    push(value) {
      if (gone || ended || failure) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        slot = { value, taken: () => resolve(!gone) };
        wakeConsumer();
      });
    },
    end() {
      ended = true;
      wakeConsumer();
    },
    fail(error) {
      failure = error;
      wakeConsumer();
    },
  };
}

/**
 * An async generator of what `produce` pushes. The producer starts at the first pull (a stream
 * never read never opens anything); returning early stops it at its next push.
 */
export async function* produced<T>(
  produce: (push: (value: T) => Promise<boolean>) => Promise<void>,
): AsyncGenerator<T, void> {
  const p = pipe<T>();
  produce((value) => p.push(value)).then(
    () => p.end(),
    (e: unknown) => p.fail(e instanceof Error ? e : new Error(String(e))),
  );
  yield* p.items;
}
