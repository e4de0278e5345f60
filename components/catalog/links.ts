/** URLs of registry pages, in one place so links and routes agree. */

const base = (project: string) => `/p/${encodeURIComponent(project)}`;

export const href = {
  features: (project: string) => `${base(project)}/features`,
  views: (project: string) => `${base(project)}/views`,
  newView: (project: string) => `${base(project)}/views/new`,
  view: (project: string, name: string, version?: number) =>
    `${base(project)}/views/${encodeURIComponent(name)}${version ? `?version=${version}` : ""}`,
  field: (project: string, view: string, field: string) =>
    `${base(project)}/views/${encodeURIComponent(view)}#field-${encodeURIComponent(field)}`,
  entities: (project: string) => `${base(project)}/entities`,
  sources: (project: string) => `${base(project)}/sources`,
  services: (project: string) => `${base(project)}/services`,
  dataset: (project: string, name: string) => `${base(project)}/datasets/${encodeURIComponent(name)}`,
};
