/**
 * Who may call each operation, written by hand from what Quiver promises its users (README,
 * "Roles"), NOT derived from the descriptors or auth/roles.ts. The authorization matrices
 * (server/trpc/authorization-matrix.int.test.ts, server/web/rest-matrix.int.test.ts) compare the
 * doors' real answers with this table, so an operation whose declared access is wrong (a write
 * labelled as a read) fails them. A new operation fails them until someone adds its line here.
 *
 * A role means that role or a higher one in the project; "admin": instance administrators only;
 * "trusted": Quiver itself and the local CLI, no door caller.
 */
export type Expected = "public" | "signed_in" | "admin" | "trusted" | ExpectedRole;
export type ExpectedRole = "viewer" | "consumer" | "editor" | "operator" | "owner";

/** Lowest first; each role may do all the roles before it may. Written again here on purpose. */
export const ROLE_ORDER: readonly ExpectedRole[] = ["viewer", "consumer", "editor", "operator", "owner"];

export const EXPECTED_ACCESS: Record<string, Expected> = {
  // Reading definitions: any member.
  "projects.list": "signed_in",
  "entities.list": "viewer",
  "entities.get": "viewer",
  "sources.list": "viewer",
  "sources.get": "viewer",
  "sources.columns": "viewer",
  "featureViews.list": "viewer",
  "featureViews.get": "viewer",
  "featureViews.versions": "viewer",
  "featureViews.diff": "viewer",
  "featureViews.usage": "viewer",
  "features.history": "viewer",
  "featureServices.list": "viewer",
  "featureServices.get": "viewer",
  "featureServices.usage": "viewer",
  "consumers.list": "viewer",
  "consumers.get": "viewer",
  "consumers.usage": "viewer",
  "entities.usage": "viewer",
  "sources.usage": "viewer",
  "search.features": "viewer",
  "search.objects": "viewer",
  "search.alsoMatches": "viewer",
  "lineage.graph": "viewer",
  "lineage.neighborhood": "viewer",
  "lineage.overview": "viewer",
  "lineage.search": "viewer",
  "lineage.featureConsumers": "viewer",
  "lineage.columns": "viewer",
  "jobs.list": "viewer",
  "jobs.get": "viewer",
  "jobs.log": "viewer",
  "freshness.list": "viewer",
  "freshness.engines": "viewer",
  "schedules.get": "viewer",
  "schedules.list": "viewer",
  "freshness.lagHistory": "viewer",
  "statistics.settings": "viewer",
  // Statistics show values (min, max, top values): consumers and up, as offline rows.
  "statistics.get": "consumer",
  // Alerts' logs name rules, views and statuses, never a URL or secret: any member.
  "alerts.deliveries.list": "viewer",
  "onDemandViews.list": "viewer",
  "onDemandViews.get": "viewer",
  "onDemandViews.versions": "viewer",
  "onDemandViews.diff": "viewer",
  "alerts.incidents.list": "viewer",
  "offline.space": "viewer",
  "datasets.list": "viewer",
  "datasets.get": "viewer",
  // What would keep an object from being deleted: definitions, so any member.
  "entities.dependants": "viewer",
  "sources.dependants": "viewer",
  "featureViews.dependants": "viewer",
  "featureServices.dependants": "viewer",
  "consumers.dependants": "viewer",
  // Reading feature values: consumers (models, services) and up.
  "serving.getOnlineFeatures": "consumer",
  "serving.getHistoricalFeatures": "consumer",
  // A saved dataset's rows are feature values.
  "datasets.preview": "consumer",
  "datasets.download": "consumer",
  // A source's rows, and a view's columns of them, are offline values.
  "sources.preview": "consumer",
  "featureViews.preview": "consumer",
  // Writing definitions: editors.
  "entities.create": "editor",
  "entities.update": "editor",
  "sources.create": "editor",
  "sources.update": "editor",
  "featureViews.create": "editor",
  "featureViews.update": "editor",
  // Previews an update; writes nothing, but only editors may plan one.
  "featureViews.plan": "editor",
  "featureServices.create": "editor",
  "featureServices.update": "editor",
  "consumers.create": "editor",
  "consumers.update": "editor",
  "datasets.upload": "editor",
  "datasets.previewDraft": "editor",
  "datasets.create": "editor",
  "datasets.cancel": "editor",
  "datasets.delete": "editor",
  // Deleting and deprecating definitions: editors, like writing them.
  "entities.delete": "editor",
  "sources.delete": "editor",
  "featureViews.delete": "editor",
  "featureServices.delete": "editor",
  "consumers.delete": "editor",
  "entities.deprecate": "editor",
  "entities.undeprecate": "editor",
  "sources.deprecate": "editor",
  "sources.undeprecate": "editor",
  "featureViews.deprecate": "editor",
  "featureViews.undeprecate": "editor",
  "featureServices.deprecate": "editor",
  "featureServices.undeprecate": "editor",
  "onDemandViews.create": "editor",
  "onDemandViews.update": "editor",
  "onDemandViews.delete": "editor",
  "consumers.deprecate": "editor",
  "consumers.undeprecate": "editor",
  "datasets.deprecate": "editor",
  "datasets.undeprecate": "editor",
  // Running jobs and writing values: operators.
  "jobs.materialize": "operator",
  "jobs.materializeIncremental": "operator",
  "jobs.cancel": "operator",
  "jobs.retry": "operator",
  // A schedule is a standing order to start runs: who may start them by hand.
  "schedules.set": "operator",
  "schedules.pause": "operator",
  "schedules.resume": "operator",
  "schedules.delete": "operator",
  "serving.materialize": "operator",
  "statistics.compute": "operator",
  "statistics.setThreshold": "operator",
  "serving.materializeIncremental": "operator",
  "serving.push": "operator",
  // Managing the project: owners.
  "access.members.list": "owner",
  "access.members.add": "owner",
  "access.members.changeRole": "owner",
  "access.members.remove": "owner",
  "access.createUser": "owner",
  "access.keys.list": "owner",
  "access.keys.create": "owner",
  "access.keys.revoke": "owner",
  "audit.list": "owner",
  "offline.grantShared": "owner",
  "offline.revokeShared": "owner",
  // Webhooks: their URLs are credentials and make Quiver call a host of the caller's choice.
  "alerts.rules.list": "owner",
  "alerts.rules.create": "owner",
  "alerts.rules.update": "owner",
  "alerts.rules.delete": "owner",
  "alerts.rules.test": "owner",
  // One's own account.
  "account.me": "signed_in",
  "account.signIns": "signed_in",
  // The instance.
  "admin.audit": "admin",
  "admin.createProject": "admin",
  "users.setAdmin": "admin",
  // The quiver CLI's `user create` (owners make accounts through access.createUser).
  "users.create": "trusted",
  // The deployment's offline administration: the CLI on the machine.
  "offline.own": "trusted",
  "offline.check": "trusted",
  "offline.setupSql": "trusted",
  // What the job queue's worker does with a job: Quiver itself only.
  "jobs.execute": "trusted",
  "freshness.probe": "trusted",
  "datasets.build": "trusted",
  "statistics.execute": "trusted",
  // Batch transformations (docs/adr/0035): definitions by editors, rows by consumers, runs by operators.
  "transformations.list": "viewer",
  "transformations.get": "viewer",
  "transformations.diff": "viewer",
  "transformations.versions": "viewer",
  "transformations.runs": "viewer",
  "transformations.getRun": "viewer",
  "transformations.getSchedule": "viewer",
  "transformations.schedules": "viewer",
  "transformations.preview": "consumer",
  "transformations.create": "editor",
  "transformations.update": "editor",
  "transformations.delete": "editor",
  "transformations.run": "operator",
  "transformations.backfill": "operator",
  "transformations.cancel": "operator",
  "transformations.retry": "operator",
  "transformations.setSchedule": "operator",
  "transformations.pauseSchedule": "operator",
  "transformations.resumeSchedule": "operator",
  "transformations.deleteSchedule": "operator",
  "transformations.execute": "trusted",
  // Stream views (docs/adr/0037): read by any member, defined by editors.
  "streamViews.list": "viewer",
  "streamViews.get": "viewer",
  "streamViews.create": "editor",
  "streamViews.update": "editor",
  "streamViews.delete": "editor",
  "streamViews.versions": "viewer",
  "streamViews.diff": "viewer",
  "streamViews.lag": "viewer",
  // Liveness.
  "serving.health": "public",
};

export type Outcome = "allow" | "UNAUTHORIZED" | "NOT_FOUND" | "FORBIDDEN";

/** A caller of the matrix: its role in the project under test, null for none. */
export interface MatrixCaller {
  label: string;
  anonymous?: boolean;
  role: ExpectedRole | null;
  admin?: boolean;
}

/** What the table says a caller gets from an operation. */
export function expectedOutcome(expected: Expected, caller: MatrixCaller): Outcome {
  if (expected === "public") return "allow";
  if (caller.anonymous) return "UNAUTHORIZED";
  if (expected === "signed_in") return "allow";
  if (expected === "admin") return caller.admin ? "allow" : "FORBIDDEN";
  if (expected === "trusted") return "FORBIDDEN";
  if (caller.role === null) return "NOT_FOUND";
  return ROLE_ORDER.indexOf(caller.role) >= ROLE_ORDER.indexOf(expected) ? "allow" : "FORBIDDEN";
}
