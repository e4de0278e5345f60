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
  feature: (project: string, view: string, feature: string) =>
    `${base(project)}/features/${encodeURIComponent(view)}/${encodeURIComponent(feature)}`,
  entities: (project: string) => `${base(project)}/entities`,
  entity: (project: string, name: string) => `${base(project)}/entities/${encodeURIComponent(name)}`,
  sources: (project: string) => `${base(project)}/sources`,
  source: (project: string, name: string) => `${base(project)}/sources/${encodeURIComponent(name)}`,
  services: (project: string) => `${base(project)}/services`,
  service: (project: string, name: string) => `${base(project)}/services/${encodeURIComponent(name)}`,
  consumers: (project: string) => `${base(project)}/consumers`,
  consumer: (project: string, name: string) => `${base(project)}/consumers/${encodeURIComponent(name)}`,
  datasets: (project: string) => `${base(project)}/datasets`,
  dataset: (project: string, name: string) => `${base(project)}/datasets/${encodeURIComponent(name)}`,
  transformations: (project: string) => `${base(project)}/transformations`,
  transformation: (project: string, name: string, version?: number) =>
    `${base(project)}/transformations/${encodeURIComponent(name)}${version ? `?version=${version}` : ""}`,
  newTransformation: (project: string) => `${base(project)}/transformations/new`,
  editTransformation: (project: string, name: string) =>
    `${base(project)}/transformations/${encodeURIComponent(name)}/edit`,
  onDemandViews: (project: string) => `${base(project)}/on-demand`,
  onDemandView: (project: string, name: string, version?: number) =>
    `${base(project)}/on-demand/${encodeURIComponent(name)}${version ? `?version=${version}` : ""}`,
  newOnDemandView: (project: string) => `${base(project)}/on-demand/new`,
  editOnDemandView: (project: string, name: string) =>
    `${base(project)}/on-demand/${encodeURIComponent(name)}/edit`,
  streamViews: (project: string) => `${base(project)}/streams`,
  streamView: (project: string, name: string, version?: number) =>
    `${base(project)}/streams/${encodeURIComponent(name)}${version ? `?version=${version}` : ""}`,
  newStreamView: (project: string) => `${base(project)}/streams/new`,
  editStreamView: (project: string, name: string) =>
    `${base(project)}/streams/${encodeURIComponent(name)}/edit`,
  lineage: (project: string) => `${base(project)}/lineage`,
};

/** The kinds of registry object that have a page, as lineage and the command palette name them. */
export type ObjectKind =
  | "feature"
  | "view"
  | "entity"
  | "source"
  | "service"
  | "consumer"
  | "dataset"
  | "transformation"
  | "on_demand_view"
  | "stream_view";

/**
 * The page of one object; a feature's name is "view:feature" as in Feast's references. Only a
 * feature view's features have a page of their own: an on-demand or stream view's feature
 * (`viewKind`) goes to its view's page, which lists it.
 */
export function objectHref(
  project: string,
  kind: ObjectKind,
  name: string,
  viewKind?: "view" | "on_demand_view" | "stream_view" | null,
): string {
  switch (kind) {
    case "feature": {
      const i = name.indexOf(":");
      if (viewKind === "on_demand_view" || viewKind === "stream_view")
        return objectHref(project, viewKind, name.slice(0, i));
      return href.feature(project, name.slice(0, i), name.slice(i + 1));
    }
    case "view":
      return href.view(project, name);
    case "entity":
      return href.entity(project, name);
    case "source":
      return href.source(project, name);
    case "service":
      return href.service(project, name);
    case "consumer":
      return href.consumer(project, name);
    case "dataset":
      return href.dataset(project, name);
    case "transformation":
      return href.transformation(project, name);
    case "on_demand_view":
      return href.onDemandView(project, name);
    case "stream_view":
      return href.streamView(project, name);
  }
}

/** The kinds of registry object the UI creates and edits with a form. */
export type EditableKind = "view" | "entity" | "source" | "service" | "consumer";

const FORM_FOLDER: Record<EditableKind, string> = {
  view: "views",
  entity: "entities",
  source: "sources",
  service: "services",
  consumer: "consumers",
};

/** The form that creates an object of `kind`, or with `name` edits that one. */
export function formHref(project: string, kind: EditableKind, name?: string): string {
  const folder = `${base(project)}/${FORM_FOLDER[kind]}`;
  if (!name) return `${folder}/new`;
  // The feature view form predates the edit routes: it edits through ?edit=.
  if (kind === "view") return `${folder}/new?edit=${encodeURIComponent(name)}`;
  return `${folder}/${encodeURIComponent(name)}/edit`;
}
