import { handleMaterializeIncremental } from "@/server/serving/http-handlers";
import { restCtx } from "@/server/serving/rest-ctx";

export function POST(req: Request) {
  return handleMaterializeIncremental(req, restCtx);
}
