import { handleDownloadDataset } from "@/server/web/http-handlers";
import { restCtx } from "@/server/web/rest-ctx";

export function GET(req: Request) {
  return handleDownloadDataset(req, restCtx);
}
