import { handlePush } from "@/server/serving/http-handlers";
import { restCtx } from "@/server/serving/rest-ctx";

export function POST(req: Request) {
  return handlePush(req, restCtx);
}
