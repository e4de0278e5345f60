import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import { isTrustedOrigin, originSettings, publicOrigin, trustedOrigins } from "./trusted-origins";

describe("trustedOrigins", () => {
  it("trusts the loopback names on the app's port by default", () => {
    expect(trustedOrigins({ port: 3100 })).toEqual([
      "http://localhost:3100",
      "http://127.0.0.1:3100",
      "http://[::1]:3100",
    ]);
  });

  it("adds the public URL's origin and the extra origins, normalized and without duplicates", () => {
    expect(
      trustedOrigins({
        port: 80,
        publicUrl: "https://Features.Example.com:443/quiver/",
        extra: ["http://ops.example.com:8080/", "https://features.example.com", "http://localhost"],
      }),
    ).toEqual([
      "http://localhost",
      "http://127.0.0.1",
      "http://[::1]",
      "https://features.example.com",
      "http://ops.example.com:8080",
    ]);
  });

  it("refuses an entry that is not an http(s) origin, naming the setting", () => {
    expect(() => trustedOrigins({ port: 3000, extra: ["features.example.com"] })).toThrow(
      /QUIVER_TRUSTED_ORIGINS: "features.example.com"/,
    );
    expect(() => trustedOrigins({ port: 3000, extra: ["ftp://features.example.com"] })).toThrow(
      /QUIVER_TRUSTED_ORIGINS/,
    );
    expect(() => trustedOrigins({ port: 3000, publicUrl: "javascript:alert(1)" })).toThrow(
      /QUIVER_PUBLIC_URL/,
    );
  });
});

describe("isTrustedOrigin", () => {
  const trusted = trustedOrigins({ port: 3100, publicUrl: "https://features.example.com" });

  it.each([
    ["http://localhost:3100", true],
    ["http://127.0.0.1:3100", true],
    ["http://[::1]:3100", true],
    ["http://[0:0:0:0:0:0:0:1]:3100", true],
    ["HTTP://LOCALHOST:3100", true],
    ["https://features.example.com", true],
    ["https://features.example.com:443", true],
    ["http://localhost:3000", false],
    ["https://localhost:3100", false],
    ["http://features.example.com", false],
    ["https://features.example.com.evil.example", false],
    ["https://evil.example", false],
    ["null", false],
    ["", false],
    ["file:///etc/passwd", false],
  ])("%s → %s", (origin, expected) => {
    expect(isTrustedOrigin(origin, trusted)).toBe(expected);
  });
});

describe("originSettings", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetEnvCache();
  });

  it("reads PORT, QUIVER_PUBLIC_URL and QUIVER_TRUSTED_ORIGINS", () => {
    process.env.PORT = "4100";
    process.env.QUIVER_PUBLIC_URL = "https://features.example.com";
    process.env.QUIVER_TRUSTED_ORIGINS = "https://a.example.com, https://b.example.com";
    resetEnvCache();
    const settings = originSettings();
    expect(settings).toEqual({
      port: 4100,
      publicUrl: "https://features.example.com",
      extra: ["https://a.example.com", "https://b.example.com"],
    });
    expect(publicOrigin(settings)).toBe("https://features.example.com");
    expect(publicOrigin({ port: 4100 })).toBeUndefined();
  });
});
