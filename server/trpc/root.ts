import { router } from "./init";
import { freshnessRouter, jobsRouter, lineageRouter } from "./routers/operations";
import {
  consumersRouter,
  entitiesRouter,
  featureServicesRouter,
  featureViewsRouter,
  projectsRouter,
  searchRouter,
  sourcesRouter,
} from "./routers/registry";

export const appRouter = router({
  projects: projectsRouter,
  entities: entitiesRouter,
  sources: sourcesRouter,
  featureViews: featureViewsRouter,
  featureServices: featureServicesRouter,
  consumers: consumersRouter,
  search: searchRouter,
  lineage: lineageRouter,
  jobs: jobsRouter,
  freshness: freshnessRouter,
});

export type AppRouter = typeof appRouter;
