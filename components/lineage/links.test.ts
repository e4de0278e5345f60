import { describe, expect, it } from "vitest";
import { LINEAGE_KINDS } from "@/server/registry/lineage/types";
import { lineageIdOf, lineageNodeHref, lineagePageHref, lineageSearch, parseLineageUrl } from "./links";

const params = (s: string) => new URLSearchParams(s);

describe("lineage URL state", () => {
  it("reads focus, direction and kinds, with defaults for what is absent or unknown", () => {
    expect(parseLineageUrl(params(""))).toEqual({ focus: undefined, dir: "both", kinds: [...LINEAGE_KINDS] });
    expect(parseLineageUrl(params("focus=feature%3Av%3Af&dir=upstream&kinds=consumer,source,bogus"))).toEqual(
      { focus: "feature:v:f", dir: "upstream", kinds: ["source", "consumer"] },
    );
    expect(parseLineageUrl(params("dir=sideways&kinds=")).dir).toBe("both");
    expect(parseLineageUrl(params("kinds=")).kinds).toEqual([]);
  });

  it("writes only what differs from the defaults, and reads back what it wrote", () => {
    expect(lineageSearch({ dir: "both", kinds: [...LINEAGE_KINDS] })).toBe("");
    const s = lineageSearch({
      focus: "feature_view:v",
      dir: "downstream",
      kinds: ["feature_view", "source"],
    });
    expect(s).toBe("?focus=feature_view%3Av&dir=downstream&kinds=source%2Cfeature_view");
    expect(parseLineageUrl(params(s.slice(1)))).toEqual({
      focus: "feature_view:v",
      dir: "downstream",
      kinds: ["source", "feature_view"],
    });
    expect(lineagePageHref("my_proj", { focus: "source:s" })).toBe("/p/my_proj/lineage?focus=source%3As");
  });
});

describe("lineageNodeHref", () => {
  it("maps lineage kinds to object pages, a feature as view:feature", () => {
    const meta = {};
    expect(lineageNodeHref("p", { kind: "feature_view", name: "v", meta })).toBe("/p/p/views/v");
    expect(lineageNodeHref("p", { kind: "feature_service", name: "s", meta })).toBe("/p/p/services/s");
    expect(lineageNodeHref("p", { kind: "feature", name: "f", meta: { featureView: "v" } })).toBe(
      "/p/p/features/v/f",
    );
    expect(lineageNodeHref("p", { kind: "consumer", name: "m", meta })).toBe("/p/p/consumers/m");
    expect(lineageNodeHref("p", { kind: "dataset", name: "d", meta })).toBe("/p/p/datasets/d");
    expect(lineageNodeHref("p", { kind: "entity", name: "e", meta })).toBe("/p/p/entities/e");
    expect(lineageNodeHref("p", { kind: "source", name: "s", meta })).toBe("/p/p/sources/s");
  });

  it("names an object page's lineage node", () => {
    expect(lineageIdOf("view", "v")).toBe("feature_view:v");
    expect(lineageIdOf("service", "s")).toBe("feature_service:s");
    expect(lineageIdOf("feature", "v:f")).toBe("feature:v:f");
    expect(lineageIdOf("consumer", "m")).toBe("consumer:m");
  });
});
