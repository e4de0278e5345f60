import { describe, expect, it } from "vitest";
import { onlineBody, onlineSnippet, placeholderKeys } from "./fetch-snippets";

/** The object pages' online lookup examples: Feast's get-online-features body in three languages. */

const base = { origin: "https://quiver.example.com", project: "demo" };

describe("onlineBody", () => {
  it("names features or a feature service, never both, with the entity columns", () => {
    expect(
      onlineBody("demo", { features: ["driver_hourly_stats:conv_rate"] }, { driver_id: [1001] }),
    ).toEqual({
      project: "demo",
      features: ["driver_hourly_stats:conv_rate"],
      entities: { driver_id: [1001] },
    });
    expect(onlineBody("demo", { featureService: "driver_activity" }, { driver_id: ["1001"] })).toEqual({
      project: "demo",
      feature_service: "driver_activity",
      entities: { driver_id: ["1001"] },
    });
  });
});

describe("onlineBody with request data", () => {
  it("sends request_context after the entities when on-demand features need it, else leaves it out", () => {
    const body = onlineBody(
      "demo",
      { features: ["driver_scores:boosted_conv_rate"] },
      { driver_id: [1001, 1002] },
      { boost: [1.5, 1.5] },
    );
    expect(Object.keys(body)).toEqual(["project", "features", "entities", "request_context"]);
    expect(body.request_context).toEqual({ boost: [1.5, 1.5] });
    expect(onlineBody("demo", { features: ["a:b"] }, { k: [1] }, {})).not.toHaveProperty("request_context");
  });

  it("shows request_context in the Python snippet as a literal", () => {
    const py = onlineSnippet("python", {
      ...base,
      selection: { features: ["driver_scores:reliable"] },
      entities: { driver_id: [1001] },
      requestContext: { boost: [2], ok: [true] },
    });
    expect(py).toContain('"request_context": {\n');
    expect(py).toContain('"ok": [True]');
  });
});

describe("onlineSnippet", () => {
  const input = {
    ...base,
    selection: { features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"] },
    entities: { driver_id: [1001, 1002] },
  };

  it("posts to the online route with the key from the environment, in curl", () => {
    const curl = onlineSnippet("curl", input);
    expect(curl.split("\n")[0]).toBe("curl -s https://quiver.example.com/api/v1/get-online-features \\");
    expect(curl).toContain('-H "Authorization: Bearer $QUIVER_API_KEY"');
    expect(curl).toContain('"driver_id": [1001, 1002]');
    expect(curl).toContain('"features": ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"]');
    // The body is valid JSON once the shell quotes are taken off.
    const body = curl.slice(curl.indexOf("-d '") + 4, -1);
    expect(JSON.parse(body)).toEqual({
      project: "demo",
      features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"],
      entities: { driver_id: [1001, 1002] },
    });
  });

  it("writes Python literals and prints each column with its statuses", () => {
    const py = onlineSnippet("python", {
      ...base,
      selection: { featureService: "driver_activity" },
      entities: { driver_id: [null, 1] },
    });
    expect(py).toContain('"feature_service": "driver_activity"');
    expect(py).toContain('"driver_id": [None, 1]');
    expect(py).toContain('    "https://quiver.example.com/api/v1/get-online-features",');
    expect(py).toContain("timeout=10,");
    expect(py).toContain('print(name, column["values"], column["statuses"])');
  });

  it("gives TypeScript a fetch with the bearer header and the same body", () => {
    const ts = onlineSnippet("typescript", input);
    expect(ts).toContain('fetch("https://quiver.example.com/api/v1/get-online-features", {');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated code has a template literal.
    expect(ts).toContain("Authorization: `Bearer ${process.env.QUIVER_API_KEY}`");
    expect(ts).toContain('"driver_id": [1001, 1002]');
    expect(ts).toContain("data.results[i].statuses");
  });

  it("quotes a key with a single quote safely for the shell", () => {
    const curl = onlineSnippet("curl", { ...input, entities: { rider: ["o'brien"] } });
    expect(curl).toContain(`"rider": ["o'\\''brien"]`);
  });
});

describe("placeholderKeys", () => {
  it("gives numbers for integer keys, text for strings, base64 for bytes", () => {
    expect(placeholderKeys("int64")).toEqual([1001, 1002]);
    expect(placeholderKeys("int32", 3)).toEqual([1001, 1002, 1003]);
    expect(placeholderKeys("string")).toEqual(["key_1", "key_2"]);
    expect(placeholderKeys("bytes", 1)).toEqual(["a2V5XzE="]);
  });
});
