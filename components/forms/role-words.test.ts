import { describe, expect, it } from "vitest";
import { plainForbidden, refusalWords, rolesAllowedWords } from "./role-words";

describe("role words", () => {
  it("names the roles that may act, lowest first", () => {
    expect(rolesAllowedWords("definitions.write")).toBe("Editors, operators and owners");
    expect(rolesAllowedWords("jobs.run")).toBe("Operators and owners");
    expect(rolesAllowedWords("members.manage")).toBe("Owners");
    expect(rolesAllowedWords("definitions.read")).toBe("Viewers, consumers, editors, operators and owners");
  });

  it("says why a role cannot, in plain words", () => {
    expect(refusalWords("definitions.write", "consumer", "register feature views")).toBe(
      "Editors, operators and owners can register feature views; you are a consumer in this project.",
    );
    expect(refusalWords("definitions.write", "operator")).toBe(
      "Editors, operators and owners can create, change and delete definitions; you are an operator in this project.",
    );
  });

  it("rewrites the server's refusal without the permission's internal name", () => {
    const plain = plainForbidden('definitions.write in project "demo" needs the editor role; you are viewer');
    expect(plain).toBe(
      "Editors, operators and owners can create, change and delete definitions; you are a viewer in this project.",
    );
    expect(plain).not.toContain("definitions.write");
    expect(plainForbidden("query sources are switched off")).toBeNull();
    expect(plainForbidden('made.up in project "demo" needs the editor role; you are viewer')).toBeNull();
  });
});
