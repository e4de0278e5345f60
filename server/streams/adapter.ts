import "server-only";

/**
 * The stream source adapter (docs/adr/0037-stream-aggregations.md): what a consumer needs of a
 * message log with consumer groups and at-least-once delivery. Quiver ships the Redis Streams
 * adapter (redis-adapter.ts); a Kafka adapter (kafkajs) implements the same five calls:
 *
 * - `ensureGroup`: the consumer group exists (Kafka: a group id; Redis: XGROUP CREATE ... MKSTREAM).
 *   A new group starts at the beginning of what the log still holds: events are idempotent.
 * - `read`: up to `max` messages never delivered to the group, waiting at most `blockMs` for the
 *   first (Redis: XREADGROUP ... >; Kafka: the next fetch of the group's partitions).
 * - `ack`: the messages are applied and need not be delivered again (Redis: XACK; Kafka: commit
 *   offsets, which only moves a partition forward past messages all acked below it).
 * - `claimStale`: messages delivered to a consumer that has not acked them for `minIdleMs`
 *   (it died), now delivered to this one (Redis: XAUTOCLAIM; Kafka: a rebalance does it, so the
 *   adapter answers []).
 * - `lag`: messages not yet delivered to the group (null when the log cannot tell) and delivered
 *   but not acked (Redis: XINFO GROUPS lag/pending; Kafka: end offset − committed offset).
 *
 * Delivery is at least once: a message may come again after a crash between apply and ack, so
 * the consumer's apply must be idempotent (the tiles' dedupe mark is).
 */
export interface StreamMessage {
  /** The log's own id (Redis: the entry id "ms-seq"; Kafka: "partition:offset"). */
  id: string;
  fields: Record<string, string>;
}

export interface StreamLag {
  /** Entries never delivered to the group; null when the log cannot tell (Redis after deletions). */
  lag: number | null;
  /** Entries delivered and not acknowledged. */
  pending: number;
}

export interface StreamSourceAdapter {
  ensureGroup(): Promise<void>;
  read(max: number, blockMs: number): Promise<StreamMessage[]>;
  ack(ids: readonly string[]): Promise<void>;
  claimStale(minIdleMs: number, max: number): Promise<StreamMessage[]>;
  lag(): Promise<StreamLag>;
  /** Releases the adapter's connection (a blocked read ends). */
  close(): Promise<void>;
}
