import { handleNamedOperation } from "@/server/web/http-handlers";
import { restCtx } from "@/server/web/rest-ctx";

/** Every operation with a REST door, by name (server/operations/catalog.ts): POST a JSON body. */
export async function POST(req: Request, { params }: { params: Promise<{ name: string }> }) {
  return handleNamedOperation((await params).name, req, restCtx);
}
