import { HttpError, readCappedBody } from "@/server/http/rest";
import { getAuth } from "@/server/web/auth";

/** Sign-in, setup and session bodies are a few hundred bytes; anything near this is an attack. */
const AUTH_BODY_LIMIT = 64 * 1024;

/** better-auth's endpoints: sign-in, sign-out, session, and Quiver's first-run setup. */
async function handler(req: Request): Promise<Response> {
  const auth = await getAuth();
  if (req.method === "GET" || req.method === "HEAD") return auth.handler(req);
  let body: Buffer;
  try {
    body = await readCappedBody(req, AUTH_BODY_LIMIT);
  } catch (e) {
    if (e instanceof HttpError) return Response.json({ error: e.message }, { status: e.status });
    throw e;
  }
  // The body is consumed once, capped; better-auth gets a copy with the same headers.
  return auth.handler(new Request(req, { body: body.length ? new Uint8Array(body) : null }));
}

export { handler as GET, handler as POST };
