/** URLs of the Datasets pages and the download route, in one place so links and routes agree. */

const base = (project: string) => `/p/${encodeURIComponent(project)}/datasets`;

export type DownloadFormat = "csv" | "parquet";

export const datasetHref = {
  list: (project: string) => base(project),
  new: (project: string) => `${base(project)}/new`,
  detail: (project: string, name: string) => `${base(project)}/${encodeURIComponent(name)}`,
  /** The rows as a file; a plain GET the session cookie (or an API key) authenticates. */
  download: (project: string, name: string, format: DownloadFormat) =>
    `/api/v1/datasets/download?${new URLSearchParams({ project, name, format })}`,
};
