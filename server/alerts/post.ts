import "server-only";

export interface PostResult {
  ok: boolean;
  /** The receiver's HTTP status, null when none came back. */
  status: number | null;
  /** Why it failed, safe to show: never the host's address, a socket error's text or the response body. */
  error: string | null;
}

/**
 * One POST of a webhook: a deadline, redirects not followed (a 3xx is a failure: following one
 * would let a receiver send Quiver elsewhere), the response body never read beyond its status.
 */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostResult> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Quiver-Alerts/1", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Release the connection without reading what the receiver said.
    await res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
    if (res.status >= 300 && res.status < 400)
      return { ok: false, status: res.status, error: `HTTP ${res.status}: redirects are not followed` };
    return { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    const name = e instanceof Error ? e.name : "";
    if (name === "TimeoutError" || name === "AbortError")
      return { ok: false, status: null, error: `no answer within ${timeoutMs / 1000} s` };
    return { ok: false, status: null, error: "connection failed" };
  }
}
