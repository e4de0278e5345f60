import { handleGetHistoricalFeatures } from "@/server/web/http-handlers";
import { restCtx } from "@/server/web/rest-ctx";

export function POST(req: Request) {
  return handleGetHistoricalFeatures(req, restCtx);
}
