import { router } from "./init";
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
});

export type AppRouter = typeof appRouter;
