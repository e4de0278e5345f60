import { describe, expect, it } from "vitest";
import { OPERATIONS } from "./catalog";
import { openApiDocument, restPath } from "./openapi";

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { operationId: string; requestBody?: unknown; responses: Record<string, unknown> }>
  >;
};

describe("OpenAPI document", () => {
  const doc = JSON.parse(JSON.stringify(openApiDocument())) as Doc;

  it("has one path per operation with a REST door, and none for the CLI-only ones", () => {
    const rest = OPERATIONS.filter((op) => op.doors.includes("rest"));
    expect(Object.keys(doc.paths).sort()).toEqual(rest.map(restPath).sort());
    for (const op of OPERATIONS.filter((o) => !o.doors.includes("rest")))
      expect(JSON.stringify(doc.paths)).not.toContain(`"operationId":"${op.name}"`);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("keeps Feast's routes and describes bodies and answers from the descriptors", () => {
    const lookup = doc.paths["/api/v1/get-online-features"]?.post;
    expect(lookup?.operationId).toBe("serving.getOnlineFeatures");
    expect(JSON.stringify(lookup?.requestBody)).toContain('"feature_service"');
    expect(doc.paths["/api/v1/health"]?.get?.operationId).toBe("serving.health");
    expect(doc.paths["/api/v1/materialize"]?.post?.responses["202"]).toBeDefined();
    const create = doc.paths["/api/v1/ops/entities.create"]?.post as Record<string, unknown> | undefined;
    expect(create?.["x-quiver-access"]).toBe("definitions.write");
    expect(String(create?.description)).toMatch(/editor role/);
    // Dates are ISO strings on the wire.
    const entity = JSON.stringify((create?.responses as Record<string, unknown> | undefined)?.["200"]);
    expect(entity).toContain('"format":"date-time"');
  });

  it("describes a GET's input as query parameters (a dataset download)", () => {
    const download = doc.paths["/api/v1/datasets/download"]?.get as
      | {
          operationId: string;
          requestBody?: unknown;
          parameters?: { name: string; in: string; required: boolean }[];
        }
      | undefined;
    expect(download?.operationId).toBe("datasets.download");
    expect(download?.requestBody).toBeUndefined();
    expect(download?.parameters?.map((p) => [p.name, p.in, p.required])).toEqual([
      ["project", "query", true],
      ["name", "query", true],
      ["format", "query", false],
    ]);
  });

  it("never lists a field the outputs leave out (an API key's hash)", () => {
    const keys = JSON.stringify(doc.paths["/api/v1/ops/access.keys.create"]);
    expect(keys).toContain('"prefix"');
    expect(keys).not.toMatch(/hash/i);
  });
});
