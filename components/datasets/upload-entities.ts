import type { UploadedFile } from "./dataset-form-state";

/**
 * Sends an entity file to datasets.upload through its REST door (POST /api/v1/ops/datasets.upload,
 * the session cookie authenticating): that door takes files up to the upload limit, where the tRPC
 * endpoint caps every body at 1 MB. Resolves with what the server found in the file, or rejects
 * with an UploadError whose message says what is wrong with it.
 */
export class UploadError extends Error {}

/** A file's bytes as base64 (without the data: URL prefix). */
export function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => reject(new UploadError("the browser could not read the file"));
    reader.readAsDataURL(file);
  });
}

/** What the server said, without the field name it starts with ("contentBase64: ..."). */
export function uploadErrorText(status: number, body: unknown): string {
  const { error, field } = (body ?? {}) as { error?: unknown; field?: unknown };
  let text = typeof error === "string" ? error : "";
  if (typeof field === "string" && text.startsWith(`${field}: `)) text = text.slice(field.length + 2);
  if (status === 413) return `the file is too large to upload${text ? ` (${text})` : ""}`;
  if (status === 401) return "you are signed out; sign in again and choose the file again";
  if (status >= 500 || !text) return "the server could not take the file; try again in a moment";
  return text;
}

export async function uploadEntities(input: {
  project: string;
  fileName: string;
  format: UploadedFile["format"];
  contentBase64: string;
}): Promise<UploadedFile> {
  let res: Response;
  try {
    res = await fetch("/api/v1/ops/datasets.upload", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(input),
      credentials: "same-origin",
    });
  } catch {
    throw new UploadError("cannot reach the Quiver server");
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new UploadError(uploadErrorText(res.status, body));
  return body as UploadedFile;
}
