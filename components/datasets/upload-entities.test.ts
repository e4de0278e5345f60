import { describe, expect, it } from "vitest";
import { uploadErrorText } from "./upload-entities";

describe("upload errors", () => {
  it("says what the server found wrong, without the field it names", () => {
    const body = {
      error: 'contentBase64: the file has no "event_timestamp" column (it has "driver_id")',
      field: "contentBase64",
    };
    expect(uploadErrorText(400, body)).toBe('the file has no "event_timestamp" column (it has "driver_id")');
    expect(uploadErrorText(403, { error: "this needs the editor role" })).toBe("this needs the editor role");
  });

  it("words the refusals that are not about the file's content", () => {
    expect(uploadErrorText(413, { error: "body too large: limit 65 bytes" })).toBe(
      "the file is too large to upload (body too large: limit 65 bytes)",
    );
    expect(uploadErrorText(401, { error: "sign in" })).toMatch(/signed out/);
    expect(uploadErrorText(500, { error: "internal detail" })).toBe(
      "the server could not take the file; try again in a moment",
    );
    expect(uploadErrorText(502, null)).toBe("the server could not take the file; try again in a moment");
  });
});
