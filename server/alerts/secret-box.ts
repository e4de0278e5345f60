import "server-only";
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { authSecret } from "../auth/secret";

/**
 * Rule secrets at rest: AES-256-GCM under a key derived (HKDF) from the instance secret, so a
 * database dump alone cannot forge signed alerts. Processes that send webhooks must share the
 * instance secret (QUIVER_AUTH_SECRET), as they already must to share sessions.
 */
const VERSION = "v1";

function key(): Buffer {
  return Buffer.from(hkdfSync("sha256", authSecret(), "quiver", "alert-rule-secret", 32));
}

export function sealSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

/** The plain secret; throws when the instance secret changed since it was sealed. */
export function openSecret(sealed: string): string {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || !data) throw new Error("unreadable rule secret");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}

/** A new rule's secret: 256 random bits, shown once. */
export function newRuleSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}
