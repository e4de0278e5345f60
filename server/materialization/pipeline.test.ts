import { describe, expect, it } from "vitest";
import type { WriteResult } from "../online";
import { pump, type Settled } from "./pipeline";

/** A source of `n` batches [0], [1], ... that records how far it was read and whether it was closed. */
function source(n: number) {
  const state = { fetched: 0, closed: false };
  async function* gen(): AsyncGenerator<number[]> {
    try {
      for (let i = 0; i < n; i++) {
        await Promise.resolve();
        state.fetched++;
        yield [i];
      }
    } finally {
      state.closed = true;
    }
  }
  return { gen: gen(), state };
}

/** Writes that finish only when the test says so, in any order. */
function manualWrites() {
  const pending = new Map<number, { resolve: (r: WriteResult) => void; reject: (e: Error) => void }>();
  const sent: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    sent,
    get maxInFlight() {
      return maxInFlight;
    },
    write(batch: number[]): Promise<WriteResult> {
      const id = batch[0] ?? -1;
      sent.push(id);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<WriteResult>((resolve, reject) => {
        pending.set(id, {
          resolve: (r) => {
            inFlight--;
            resolve(r);
          },
          reject: (e) => {
            inFlight--;
            reject(e);
          },
        });
      });
    },
    finish(id: number, written = 1) {
      pending.get(id)?.resolve({ written, skipped: 1 - written });
      pending.delete(id);
    },
    fail(id: number, e: Error) {
      pending.get(id)?.reject(e);
      pending.delete(id);
    },
    has: (id: number) => pending.has(id),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

/** A pump over `n` batches into manual writes; `settled` answers whether to go on. */
function started(n: number, writesInFlight: number, settled: (s: Settled) => boolean) {
  const { gen, state } = source(n);
  const w = manualWrites();
  const seen: Settled[] = [];
  const done = pump({
    source: gen,
    writesInFlight,
    write: (b) => w.write(b),
    settled: async (s) => {
      seen.push(s);
      return settled(s);
    },
  });
  let ended = false;
  done.then(
    () => {
      ended = true;
    },
    () => {
      ended = true;
    },
  );
  return { done, w, state, seen, ended: () => ended };
}

describe("pump", () => {
  it("settles batches in source order, however the writes finish, with at most N in flight", async () => {
    const { gen, state } = source(6);
    const w = manualWrites();
    const settled: number[] = [];
    let rows = 0;
    const done = pump({
      source: gen,
      writesInFlight: 3,
      write: (b) => w.write(b),
      settled: async (s: Settled) => {
        rows += s.rows;
        settled.push(w.sent[settled.length] ?? -1);
        return true;
      },
    });
    await tick();
    expect(w.sent).toEqual([0, 1, 2]);
    // 2 and 1 finish before 0: nothing may be settled yet
    w.finish(2);
    w.finish(1);
    await tick();
    expect(settled).toEqual([]);
    expect(w.sent).toEqual([0, 1, 2]);
    w.finish(0);
    await tick();
    // 0, 1, 2 settle in order; 3, 4, 5 go out (3 in flight again)
    expect(settled).toEqual([0, 1, 2]);
    expect(w.sent).toEqual([0, 1, 2, 3, 4, 5]);
    for (const id of [5, 3, 4]) w.finish(id);
    expect(await done).toBe("done");
    expect(settled).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows).toBe(6);
    expect(w.maxInFlight).toBe(3);
    expect(state.closed).toBe(true);
  });

  it("reads ahead while the first write is pending", async () => {
    const { gen, state } = source(10);
    const w = manualWrites();
    const done = pump({
      source: gen,
      writesInFlight: 1,
      write: (b) => w.write(b),
      settled: async () => true,
    });
    await tick();
    expect(w.sent).toEqual([0]);
    // batch 1 was fetched while 0 is being written
    expect(state.fetched).toBe(2);
    for (let i = 0; i < 10; i++) {
      w.finish(i);
      await tick();
    }
    expect(await done).toBe("done");
  });

  it("stops sending when settled says so, waits for the writes in flight and closes the source", async () => {
    const { done, w, state, seen, ended } = started(10, 3, () => false);
    await tick();
    w.finish(0);
    await tick();
    // stopped after the first settle; 1 and 2 still in flight: pump has not returned
    await tick();
    expect(ended()).toBe(false);
    w.finish(1);
    w.finish(2);
    expect(await done).toBe("stopped");
    expect(seen).toHaveLength(1);
    expect(w.sent).toEqual([0, 1, 2]);
    expect(state.closed).toBe(true);
  });

  it("fails with a write's error once the writes before it settled, after waiting for the rest", async () => {
    const { done, w, state, seen, ended } = started(10, 3, () => true);
    done.catch(() => {});
    await tick();
    w.fail(1, new Error("write 1 failed"));
    w.finish(2);
    await tick();
    w.finish(0);
    await tick();
    // 0 settled, so 3 went out; the failure is not reported while 3 is still being written
    expect(w.sent).toEqual([0, 1, 2, 3]);
    await tick();
    expect(ended()).toBe(false);
    w.finish(3);
    await expect(done).rejects.toThrow("write 1 failed");
    // 0 was written and settled; 1 failed; 2 and 3 finished but come after the failure
    expect(seen).toHaveLength(1);
    expect(state.closed).toBe(true);
  });

  it("fails with the source's error and waits for the writes already sent", async () => {
    async function* broken(): AsyncGenerator<number[]> {
      yield [0];
      await tick();
      throw new Error("source broke");
    }
    const w = manualWrites();
    const done = pump({
      source: broken(),
      writesInFlight: 2,
      write: (b) => w.write(b),
      settled: async () => true,
    });
    let returned = false;
    done.catch(() => {
      returned = true;
    });
    await tick();
    await tick();
    expect(returned).toBe(false);
    expect(w.has(0)).toBe(true);
    w.finish(0);
    await expect(done).rejects.toThrow("source broke");
  });
});
