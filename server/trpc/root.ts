import "server-only";
import { createCallerFactory, router } from "./init";
import { accessRouter } from "./routers/access";
import { accountRouter } from "./routers/account";
import { adminRouter } from "./routers/admin";
import { alertsRouter } from "./routers/alerts";
import { auditRouter } from "./routers/audit";
import { datasetsRouter } from "./routers/datasets";
import { offlineRouter } from "./routers/offline";
import { onDemandViewsRouter } from "./routers/on-demand";
import {
  freshnessRouter,
  jobsRouter,
  lineageRouter,
  schedulesRouter,
  servingRouter,
} from "./routers/operations";
import {
  consumersRouter,
  entitiesRouter,
  featureServicesRouter,
  featuresRouter,
  featureViewsRouter,
  projectsRouter,
  searchRouter,
  sourcesRouter,
} from "./routers/registry";
import { statisticsRouter } from "./routers/statistics";
import { streamViewsRouter } from "./routers/stream-views";
import { transformationsRouter } from "./routers/transformations";

export const appRouter = router({
  projects: projectsRouter,
  entities: entitiesRouter,
  sources: sourcesRouter,
  featureViews: featureViewsRouter,
  features: featuresRouter,
  featureServices: featureServicesRouter,
  consumers: consumersRouter,
  datasets: datasetsRouter,
  search: searchRouter,
  lineage: lineageRouter,
  jobs: jobsRouter,
  freshness: freshnessRouter,
  schedules: schedulesRouter,
  statistics: statisticsRouter,
  transformations: transformationsRouter,
  alerts: alertsRouter,
  serving: servingRouter,
  audit: auditRouter,
  access: accessRouter,
  offline: offlineRouter,
  account: accountRouter,
  admin: adminRouter,
  streamViews: streamViewsRouter,
  onDemandViews: onDemandViewsRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process (tests, server-side code) through the same middlewares as HTTP. */
export const createCaller = createCallerFactory(appRouter);
