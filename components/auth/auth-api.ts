/**
 * The browser's calls to better-auth (app/api/auth/[...all]): plain JSON fetches, so they pass the
 * same-origin and JSON-body checks every state-changing /api request must pass.
 */

export type AuthResult = { ok: true } | { ok: false; status: number; message: string; field?: string };

async function post(path: string, body: unknown): Promise<AuthResult> {
  let res: Response;
  try {
    res = await fetch(`/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, status: 0, message: "Quiver cannot be reached; check that it is running" };
  }
  if (res.ok) return { ok: true };
  const data: unknown = await res.json().catch(() => null);
  const message = readString(data, "message") ?? res.statusText;
  return { ok: false, status: res.status, message, field: readString(data, "field") };
}

function readString(data: unknown, key: string): string | undefined {
  if (typeof data !== "object" || data === null || !(key in data)) return undefined;
  const v: unknown = (data as Record<string, unknown>)[key];
  return typeof v === "string" ? v : undefined;
}

export function signIn(email: string, password: string): Promise<AuthResult> {
  return post("/sign-in/email", { email, password });
}

export function signOut(): Promise<AuthResult> {
  return post("/sign-out", {});
}

/** Creates the first owner and signs them in (server/auth/better-auth.ts, SETUP_PATH). */
export function setUp(input: { name: string; email: string; password: string }): Promise<AuthResult> {
  return post("/quiver/setup", input);
}

/** What the login form says for a failed sign-in. */
export function signInMessage(r: Extract<AuthResult, { ok: false }>): string {
  if (r.status === 429) return "Too many attempts, wait a minute";
  if (r.status === 401) return "Wrong email or password";
  if (r.status === 0) return r.message;
  return r.message || "Sign-in failed";
}
