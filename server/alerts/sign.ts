import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures (docs/adr/0032-alerts.md, "Verifying a delivery"): the receiver recomputes
 * HMAC-SHA256(secret, `${timestamp}.${body}`) over the raw body, compares in constant time, and
 * rejects a timestamp too far from its clock, so a captured request cannot be replayed later.
 * Pure (no server-only): receivers in tests use `verifySignature` as documentation in code.
 */
export const TIMESTAMP_HEADER = "x-quiver-timestamp";
export const SIGNATURE_HEADER = "x-quiver-signature";
export const DELIVERY_HEADER = "x-quiver-delivery";

export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** The headers of one attempt; the timestamp is Unix seconds. */
export function signedHeaders(secret: string, body: string, now: Date): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signature(secret, timestamp, body) };
}

/** What a receiver does: true when the signature matches and the timestamp is within `toleranceSeconds`. */
export function verifySignature(args: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  now?: Date;
  toleranceSeconds?: number;
}): boolean {
  const { secret, body, timestamp, signature: given } = args;
  if (!timestamp || !given || !/^\d+$/.test(timestamp)) return false;
  const age = Math.abs((args.now ?? new Date()).getTime() / 1000 - Number(timestamp));
  if (age > (args.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signature(secret, timestamp, body));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
