import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { REQUEST_ID_HEADER, requestIdOf } from "@/server/core/log";
import { DEFAULT_BODY_LIMIT, errorResponse, HttpError, readCappedBody } from "@/server/http/rest";
import { appRouter } from "@/server/trpc/root";
import { createContext } from "@/trpc/context";

/** The fetch adapter reads any body and runs any batch; both are bounded here (docs/adr/0010). */
const BODY_LIMIT = DEFAULT_BODY_LIMIT;
/** Keep at or above the client link's maxItems (trpc/client.tsx). */
const MAX_BATCH_SIZE = 20;

async function handler(req: Request): Promise<Response> {
  let bounded = req;
  if (req.method !== "GET" && req.method !== "HEAD") {
    try {
      const body = await readCappedBody(req, BODY_LIMIT);
      bounded = new Request(req.url, {
        method: req.method,
        headers: req.headers,
        body: new Uint8Array(body),
      });
    } catch (e) {
      if (e instanceof HttpError) return errorResponse(e.status, e.message);
      throw e;
    }
  }
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: bounded,
    router: appRouter,
    createContext,
    maxBatchSize: MAX_BATCH_SIZE,
  });
  // The id the context's log carries (trpc/context.ts), so a caller can quote it.
  res.headers.set(REQUEST_ID_HEADER, requestIdOf(bounded));
  return res;
}

export { handler as GET, handler as POST };
