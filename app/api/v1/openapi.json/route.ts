import { openApiDocument } from "@/server/operations/openapi";

/** The REST API's OpenAPI document, generated from the operation descriptors. Public, like docs. */
export function GET() {
  return Response.json(openApiDocument());
}
