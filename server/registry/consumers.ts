import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import type { ProjectRow } from "../auth/authorize";
import { type Ctx, inTransaction } from "../core/context";
import { InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { uniquely } from "../core/unique";
import {
  consumerDatasets,
  consumerFeatureServices,
  consumers,
  datasets,
  featureServices,
} from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";
import { ConsumerInput } from "./schemas";

export const CreateConsumerInput = ConsumerInput.extend({ project: Name });
const GetInput = z.object({ project: Name, name: Name });

async function resolveServices(ctx: Ctx, projectId: string, names: string[]) {
  if (names.length === 0) return [];
  const rows = await ctx.db
    .select({ id: featureServices.id, name: featureServices.name })
    .from(featureServices)
    .where(and(eq(featureServices.projectId, projectId), inArray(featureServices.name, names)));
  const byName = new Map(rows.map((r) => [r.name, r.id]));
  return [...new Set(names)].map((n) => {
    const id = byName.get(n);
    if (!id)
      throw new InvalidError(
        `featureServices.${names.indexOf(n)}: feature service "${n}" does not exist`,
        `featureServices.${names.indexOf(n)}`,
      );
    return id;
  });
}

/** The ids of the project's datasets with these names; a name that is none is the input's fault. */
async function resolveDatasets(ctx: Ctx, projectId: string, names: string[]) {
  if (names.length === 0) return [];
  const rows = await ctx.db
    .select({ id: datasets.id, name: datasets.name })
    .from(datasets)
    .where(and(eq(datasets.projectId, projectId), inArray(datasets.name, names)));
  const byName = new Map(rows.map((r) => [r.name, r.id]));
  return [...new Set(names)].map((n) => {
    const id = byName.get(n);
    const field = `datasets.${names.indexOf(n)}`;
    if (!id) throw new InvalidError(`${field}: dataset "${n}" does not exist`, field);
    return id;
  });
}

/** The names of the datasets each consumer was trained on, by consumer id. */
async function datasetsOf(ctx: Ctx, consumerIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (consumerIds.length === 0) return out;
  const rows = await ctx.db
    .select({ consumerId: consumerDatasets.consumerId, name: datasets.name })
    .from(consumerDatasets)
    .innerJoin(datasets, eq(datasets.id, consumerDatasets.datasetId))
    .where(inArray(consumerDatasets.consumerId, consumerIds))
    .orderBy(asc(datasets.name));
  for (const r of rows) out.set(r.consumerId, [...(out.get(r.consumerId) ?? []), r.name]);
  return out;
}

async function write(
  ctx: Ctx,
  p: ProjectRow,
  input: z.output<typeof CreateConsumerInput>,
  mode: "create" | "update",
) {
  const { project, featureServices: serviceNames, datasets: datasetNames, ...data } = input;
  return inTransaction(ctx, async (tx) => {
    const serviceIds = await resolveServices(tx, p.id, serviceNames);
    const datasetIds = await resolveDatasets(tx, p.id, datasetNames);
    let id: string;
    let before: unknown;
    if (mode === "create") {
      const [row] = await uniquely(`consumer "${data.name}"`, () =>
        tx.db
          .insert(consumers)
          .values({ ...data, projectId: p.id })
          .returning({ id: consumers.id }),
      );
      if (!row) throw new Error("insert returned no row");
      id = row.id;
    } else {
      const current = await getConsumer({ ctx: tx, input: { project, name: data.name } });
      id = current.id;
      before = current;
      await tx.db
        .update(consumers)
        .set({ ...data, updatedAt: new Date() })
        .where(eq(consumers.id, id));
      await tx.db.delete(consumerFeatureServices).where(eq(consumerFeatureServices.consumerId, id));
      await tx.db.delete(consumerDatasets).where(eq(consumerDatasets.consumerId, id));
    }
    if (serviceIds.length)
      await tx.db
        .insert(consumerFeatureServices)
        .values(serviceIds.map((featureServiceId) => ({ consumerId: id, featureServiceId })));
    if (datasetIds.length)
      await tx.db
        .insert(consumerDatasets)
        .values(datasetIds.map((datasetId) => ({ consumerId: id, datasetId })));
    const after = await getConsumer({ ctx: tx, input: { project, name: data.name } });
    await recordAudit(tx, {
      project: p,
      action: `consumer.${mode}`,
      objectType: "consumer",
      objectName: data.name,
      before,
      after,
    });
    return after;
  });
}

export const createConsumerOp = defineOperation({
  name: "consumers.create",
  summary:
    "Register a consumer (a model or a service), the feature services it reads and the datasets it was trained on.",
  kind: "mutation",
  access: "definitions.write",
  input: CreateConsumerInput,
  output: out.Consumer,
  run: ({ ctx, input, project }) => write(ctx, project, input, "create"),
});
export const createConsumer = createConsumerOp.call;

export const updateConsumerOp = defineOperation({
  name: "consumers.update",
  summary:
    "Replace a consumer's definition, the feature services it reads and the datasets it was trained on.",
  kind: "mutation",
  access: "definitions.write",
  input: CreateConsumerInput,
  output: out.Consumer,
  run: ({ ctx, input, project }) => write(ctx, project, input, "update"),
});
export const updateConsumer = updateConsumerOp.call;

export const getConsumerOp = defineOperation({
  name: "consumers.get",
  summary: "One consumer (a model or service) and the feature services it reads.",
  kind: "query",
  access: "definitions.read",
  input: GetInput,
  output: out.Consumer,
  run: async ({ ctx, input: { project, name }, project: p }) => {
    const [row] = await ctx.db
      .select()
      .from(consumers)
      .where(and(eq(consumers.projectId, p.id), eq(consumers.name, name)))
      .limit(1);
    if (!row) throw new NotFoundError(`consumer "${name}" not found in project "${project}"`, "name");
    const services = await ctx.db
      .select({ name: featureServices.name })
      .from(consumerFeatureServices)
      .innerJoin(featureServices, eq(featureServices.id, consumerFeatureServices.featureServiceId))
      .where(eq(consumerFeatureServices.consumerId, row.id))
      .orderBy(asc(featureServices.name));
    const trainedOn = await datasetsOf(ctx, [row.id]);
    return { ...row, featureServices: services.map((s) => s.name), datasets: trainedOn.get(row.id) ?? [] };
  },
});
export const getConsumer = getConsumerOp.call;

export const listConsumersOp = defineOperation({
  name: "consumers.list",
  summary: "A project's consumers with the feature services each reads, by name.",
  kind: "query",
  access: "definitions.read",
  input: z.object({ project: Name }),
  output: z.array(out.Consumer),
  run: async ({ ctx, project: p }) => {
    const rows = await ctx.db
      .select({ consumer: consumers, service: featureServices.name })
      .from(consumers)
      .leftJoin(consumerFeatureServices, eq(consumerFeatureServices.consumerId, consumers.id))
      .leftJoin(featureServices, eq(featureServices.id, consumerFeatureServices.featureServiceId))
      .where(eq(consumers.projectId, p.id))
      .orderBy(asc(consumers.name));
    const byId = new Map<
      string,
      typeof consumers.$inferSelect & { featureServices: string[]; datasets: string[] }
    >();
    for (const { consumer, service } of rows) {
      const entry = byId.get(consumer.id) ?? { ...consumer, featureServices: [], datasets: [] };
      if (service) entry.featureServices.push(service);
      byId.set(consumer.id, entry);
    }
    const trainedOn = await datasetsOf(ctx, [...byId.keys()]);
    for (const entry of byId.values()) entry.datasets = trainedOn.get(entry.id) ?? [];
    return [...byId.values()];
  },
});
export const listConsumers = listConsumersOp.call;
