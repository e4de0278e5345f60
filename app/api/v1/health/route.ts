import { handleHealth } from "@/server/web/http-handlers";
import { restCtx } from "@/server/web/rest-ctx";

// GET route handlers run per request by default (Next 15+), so health is never a build-time answer.
export function GET(req: Request) {
  return handleHealth(req, restCtx);
}
