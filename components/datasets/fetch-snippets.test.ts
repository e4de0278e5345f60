import { describe, expect, it } from "vitest";
import { downloadSnippet, exampleEntities, historicalBody, historicalSnippet } from "./fetch-snippets";

const preview = {
  columns: ["driver_id", "event_timestamp", "conv_rate", "acc_rate"],
  featureColumns: ["conv_rate", "acc_rate"],
  rows: [
    [1001, new Date("2026-11-20T00:00:00Z"), 0.5, null],
    [1002, "2026-11-21T00:00:00Z", 0.25, 0.75],
    [1003, "2026-11-22T00:00:00Z", null, 0.1],
    [1004, "2026-11-23T00:00:00Z", 0.3, 0.2],
  ],
};

const input = {
  origin: "https://quiver.example.com",
  project: "demo",
  selection: { features: null, featureService: "driver_activity", fullFeatureNames: false },
  entities: { driver_id: [1001], event_timestamp: ["2026-11-20T00:00:00.000Z"] },
};

describe("fetch snippets", () => {
  it("takes the entity columns of the first rows, times as ISO text", () => {
    expect(exampleEntities(preview, 2)).toEqual({
      driver_id: [1001, 1002],
      event_timestamp: ["2026-11-20T00:00:00.000Z", "2026-11-21T00:00:00Z"],
    });
  });

  it("asks for the service, or the features, never both", () => {
    expect(historicalBody("demo", input.selection, {})).toEqual({
      project: "demo",
      feature_service: "driver_activity",
      full_feature_names: false,
      entities: {},
    });
    const features = { features: ["v:a", "v:b"], featureService: null, fullFeatureNames: true };
    expect(historicalBody("demo", features, {})).toEqual({
      project: "demo",
      features: ["v:a", "v:b"],
      full_feature_names: true,
      entities: {},
    });
  });

  it("writes a curl command whose body is the request as JSON", () => {
    const curl = historicalSnippet("curl", input);
    expect(curl).toContain("curl -s https://quiver.example.com/api/v1/get-historical-features");
    expect(curl).toContain('-H "Authorization: Bearer $QUIVER_API_KEY"');
    const body = curl.slice(curl.indexOf("-d '") + 4, curl.lastIndexOf("'"));
    expect(JSON.parse(body)).toEqual(historicalBody("demo", input.selection, input.entities));
    expect(body).toContain('"driver_id": [1001]');
  });

  it("quotes a single quote in the shell body", () => {
    const tricky = { ...input, entities: { name: ["o'brien"] } };
    expect(historicalSnippet("curl", tricky)).toContain(`["o'\\''brien"]`);
  });

  it("writes Python literals and a TypeScript fetch", () => {
    const py = historicalSnippet("python", input);
    expect(py).toContain('"full_feature_names": False');
    expect(py).toContain("requests.post(");
    expect(py).toContain(`os.environ['QUIVER_API_KEY']`);
    const ts = historicalSnippet("typescript", input);
    expect(ts).toContain('fetch("https://quiver.example.com/api/v1/get-historical-features"');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated code's own template literal.
    expect(ts).toContain("Authorization: `Bearer ${process.env.QUIVER_API_KEY}`");
    expect(ts).toContain('"full_feature_names": false');
  });

  it("downloads with the key in a header, never in the URL", () => {
    const cmd = downloadSnippet("https://q.example", "demo", "eta_rows", "parquet");
    expect(cmd).toContain('-H "Authorization: Bearer $QUIVER_API_KEY"');
    expect(cmd).toContain("-o eta_rows.parquet");
    expect(cmd).toContain(
      "'https://q.example/api/v1/datasets/download?project=demo&name=eta_rows&format=parquet'",
    );
  });
});
