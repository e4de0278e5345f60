import "server-only";
import { z } from "zod";
import { Name } from "../../core/name";
import {
  CreateConsumerInput,
  CreateDataSourceInput,
  CreateEntityInput,
  CreateFeatureServiceInput,
  CreateFeatureViewInput,
  createConsumer,
  createDataSource,
  createEntity,
  createFeatureService,
  createFeatureView,
  DiffVersionsInput,
  diffFeatureViewVersions,
  GetFeatureViewInput,
  getConsumer,
  getDataSource,
  getEntity,
  getFeatureService,
  getFeatureView,
  ListVersionsInput,
  listConsumers,
  listDataSources,
  listEntities,
  listFeatureServices,
  listFeatureViews,
  listFeatureViewVersions,
  listProjects,
  SearchFeaturesInput,
  searchFeatures,
  UpdateFeatureViewInput,
  updateConsumer,
  updateDataSource,
  updateEntity,
  updateFeatureService,
  updateFeatureView,
} from "../../registry";
import { procedure, router } from "../init";
import * as out from "./outputs";

const Project = z.object({ project: Name });
const Named = Project.extend({ name: Name });

export const projectsRouter = router({
  list: procedure
    .meta({ action: "signed_in" })
    .output(z.array(out.Project))
    .query(({ ctx }) => listProjects({ ctx: ctx.svc })),
});

export const entitiesRouter = router({
  list: procedure
    .meta({ action: "definitions.read" })
    .input(Project)
    .output(z.array(out.Entity))
    .query(({ ctx, input }) => listEntities({ ctx: ctx.svc, input })),
  get: procedure
    .meta({ action: "definitions.read" })
    .input(Named)
    .output(out.Entity)
    .query(({ ctx, input }) => getEntity({ ctx: ctx.svc, input })),
  create: procedure
    .meta({ action: "definitions.write" })
    .input(CreateEntityInput)
    .output(out.Entity)
    .mutation(({ ctx, input }) => createEntity({ ctx: ctx.svc, input })),
  update: procedure
    .meta({ action: "definitions.write" })
    .input(CreateEntityInput)
    .output(out.Entity)
    .mutation(({ ctx, input }) => updateEntity({ ctx: ctx.svc, input })),
});

export const sourcesRouter = router({
  list: procedure
    .meta({ action: "definitions.read" })
    .input(Project)
    .output(z.array(out.DataSource))
    .query(({ ctx, input }) => listDataSources({ ctx: ctx.svc, input })),
  get: procedure
    .meta({ action: "definitions.read" })
    .input(Named)
    .output(out.DataSource)
    .query(({ ctx, input }) => getDataSource({ ctx: ctx.svc, input })),
  create: procedure
    .meta({ action: "definitions.write" })
    .input(CreateDataSourceInput)
    .output(out.DataSource)
    .mutation(({ ctx, input }) => createDataSource({ ctx: ctx.svc, input })),
  update: procedure
    .meta({ action: "definitions.write" })
    .input(CreateDataSourceInput)
    .output(out.DataSource)
    .mutation(({ ctx, input }) => updateDataSource({ ctx: ctx.svc, input })),
});

export const featureViewsRouter = router({
  list: procedure
    .meta({ action: "definitions.read" })
    .input(Project)
    .output(z.array(out.FeatureViewListItem))
    .query(({ ctx, input }) => listFeatureViews({ ctx: ctx.svc, input })),
  get: procedure
    .meta({ action: "definitions.read" })
    .input(GetFeatureViewInput)
    .output(out.FeatureViewDetail)
    .query(({ ctx, input }) => getFeatureView({ ctx: ctx.svc, input })),
  versions: procedure
    .meta({ action: "definitions.read" })
    .input(ListVersionsInput)
    .output(z.array(out.FeatureViewVersion))
    .query(({ ctx, input }) => listFeatureViewVersions({ ctx: ctx.svc, input })),
  diff: procedure
    .meta({ action: "definitions.read" })
    .input(DiffVersionsInput)
    .output(out.VersionDiff)
    .query(({ ctx, input }) => diffFeatureViewVersions({ ctx: ctx.svc, input })),
  create: procedure
    .meta({ action: "definitions.write" })
    .input(CreateFeatureViewInput)
    .output(out.WrittenView)
    .mutation(({ ctx, input }) => createFeatureView({ ctx: ctx.svc, input })),
  update: procedure
    .meta({ action: "definitions.write" })
    .input(UpdateFeatureViewInput)
    .output(out.WrittenView)
    .mutation(({ ctx, input }) => updateFeatureView({ ctx: ctx.svc, input })),
});

export const featureServicesRouter = router({
  list: procedure
    .meta({ action: "definitions.read" })
    .input(Project)
    .output(z.array(out.FeatureService))
    .query(({ ctx, input }) => listFeatureServices({ ctx: ctx.svc, input })),
  get: procedure
    .meta({ action: "definitions.read" })
    .input(Named)
    .output(out.FeatureService)
    .query(({ ctx, input }) => getFeatureService({ ctx: ctx.svc, input })),
  create: procedure
    .meta({ action: "definitions.write" })
    .input(CreateFeatureServiceInput)
    .output(out.FeatureService)
    .mutation(({ ctx, input }) => createFeatureService({ ctx: ctx.svc, input })),
  update: procedure
    .meta({ action: "definitions.write" })
    .input(CreateFeatureServiceInput)
    .output(out.FeatureService)
    .mutation(({ ctx, input }) => updateFeatureService({ ctx: ctx.svc, input })),
});

export const consumersRouter = router({
  list: procedure
    .meta({ action: "definitions.read" })
    .input(Project)
    .output(z.array(out.Consumer))
    .query(({ ctx, input }) => listConsumers({ ctx: ctx.svc, input })),
  get: procedure
    .meta({ action: "definitions.read" })
    .input(Named)
    .output(out.Consumer)
    .query(({ ctx, input }) => getConsumer({ ctx: ctx.svc, input })),
  create: procedure
    .meta({ action: "definitions.write" })
    .input(CreateConsumerInput)
    .output(out.Consumer)
    .mutation(({ ctx, input }) => createConsumer({ ctx: ctx.svc, input })),
  update: procedure
    .meta({ action: "definitions.write" })
    .input(CreateConsumerInput)
    .output(out.Consumer)
    .mutation(({ ctx, input }) => updateConsumer({ ctx: ctx.svc, input })),
});

export const searchRouter = router({
  features: procedure
    .meta({ action: "definitions.read" })
    .input(SearchFeaturesInput)
    .output(out.SearchResult)
    .query(({ ctx, input }) => searchFeatures({ ctx: ctx.svc, input })),
});
