import "server-only";
import { z } from "zod";
import { ACTIONS, type Action } from "../auth/roles";
import { OPERATIONS } from "./catalog";
import type { Access, AnyOperation } from "./define";

/**
 * The OpenAPI document of the REST API, generated from the operation descriptors (served at
 * /api/v1/openapi.json). Every operation with a REST door is one path: its own (Feast's routes) or
 * POST /api/v1/ops/<name>; bodies and answers are its input and output schemas.
 */

export function restPath(op: AnyOperation): string {
  return op.rest?.path ?? `/api/v1/ops/${op.name}`;
}

export function restOperations(): AnyOperation[] {
  return OPERATIONS.filter((op) => op.doors.includes("rest"));
}

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    // Dates travel as ISO-8601 strings in JSON.
    override: (ctx) => {
      const def = (ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def;
      if (def.type === "date") Object.assign(ctx.jsonSchema, { type: "string", format: "date-time" });
    },
  }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** A GET's input travels as query parameters (server/web/http-handlers.ts `queryInput`). */
function queryParameters(op: AnyOperation): { parameters?: unknown[] } {
  const schema = jsonSchema(op.input, "input") as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  const parameters = Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: schema.required?.includes(name) ?? false,
    schema: s,
  }));
  return parameters.length > 0 ? { parameters } : {};
}

function whoMay(access: Access): string {
  if (access === "public") return "Anyone, without credentials.";
  if (access === "signed_in") return "Any signed-in user or API key.";
  if (access === "instance.admin") return "Instance administrators (never an API key).";
  if (access === "trusted") return "Quiver itself and the local CLI only.";
  return `The ${ACTIONS[access as Action]} role or above in the project (action ${access}).`;
}

const ErrorBody = {
  type: "object",
  properties: {
    error: { type: "string", description: "What is wrong, naming the field when one is." },
    field: { type: "string", description: "The input field at fault, as a dotted path." },
  },
  required: ["error"],
};

const REFUSALS: Record<string, string> = {
  "400": "The input is invalid; `field` names what is wrong.",
  "401": "No credentials, or an API key that is unknown, revoked or expired.",
  "403": "The caller's role does not allow this.",
  "404": "The project (or object) does not exist or the caller cannot see it.",
  "409": "A conflict: the object exists already, or changed since it was read.",
  "413": "The body is larger than the operation accepts.",
  "429": "The API key is over its rate limit; see Retry-After.",
  "503": "A store the operation needs does not answer.",
};

export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of restOperations()) {
    const method = (op.rest?.method ?? "POST").toLowerCase();
    const status = String(op.rest?.status ?? 200);
    const responses: Record<string, unknown> = {
      [status]: {
        description: "Success.",
        content: { "application/json": { schema: jsonSchema(op.output, "output") } },
      },
    };
    for (const [code, description] of Object.entries(REFUSALS))
      responses[code] = {
        description,
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
    paths[restPath(op)] = {
      [method]: {
        operationId: op.name,
        summary: op.summary,
        description: `${op.summary}\n\nWho may call it: ${whoMay(op.access)}`,
        tags: [op.name.split(".")[0]],
        "x-quiver-access": op.access,
        ...(op.access === "public" ? { security: [] } : {}),
        ...(method === "get"
          ? queryParameters(op)
          : {
              requestBody: {
                required: true,
                content: { "application/json": { schema: jsonSchema(op.input, "input") } },
              },
            }),
        responses,
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Quiver REST API",
      version: "1",
      description:
        "Every operation of Quiver with a REST door, generated from its descriptor. Send an API key " +
        "as `Authorization: Bearer <key>` (or `x-api-key`); a signed-in browser session works too.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { apiKey: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API key (qv_...)." },
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        session: { type: "apiKey", in: "cookie", name: "quiver.session_token" },
      },
      schemas: { Error: ErrorBody },
    },
    paths,
  };
}
