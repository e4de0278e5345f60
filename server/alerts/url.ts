import "server-only";
import { InvalidError } from "../core/errors";

/**
 * A webhook URL Quiver will POST to: http or https, no credentials in it (they would show in lists
 * and logs; a receiver authenticates Quiver by the signature instead), at most 2,000 characters.
 * Which hosts are reachable is the network's business: owners only may set one (docs/adr/0032).
 */
export function checkWebhookUrl(raw: string): string {
  const value = raw.trim();
  if (value.length > 2000) throw new InvalidError("url: must be at most 2000 characters", "url");
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InvalidError("url: must be an absolute http or https URL", "url");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new InvalidError("url: must use http or https", "url");
  if (u.username || u.password)
    throw new InvalidError(
      "url: must not hold a user name or password (receivers check the signature)",
      "url",
    );
  if (!u.hostname) throw new InvalidError("url: must name a host", "url");
  return u.toString();
}
