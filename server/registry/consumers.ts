import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { authorize } from "../auth/authorize";
import { type Ctx, inTransaction } from "../core/context";
import { InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { parseInput } from "../core/parse-input";
import { uniquely } from "../core/unique";
import { consumerFeatureServices, consumers, featureServices } from "../db/schema";
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

async function write(ctx: Ctx, input: z.input<typeof CreateConsumerInput>, mode: "create" | "update") {
  const { project, featureServices: serviceNames, ...data } = parseInput(CreateConsumerInput, input);
  return inTransaction(ctx, async (tx) => {
    const p = await authorize(tx, project, "definitions.write");
    const serviceIds = await resolveServices(tx, p.id, serviceNames);
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
    }
    if (serviceIds.length)
      await tx.db
        .insert(consumerFeatureServices)
        .values(serviceIds.map((featureServiceId) => ({ consumerId: id, featureServiceId })));
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

export function createConsumer(args: { ctx: Ctx; input: z.input<typeof CreateConsumerInput> }) {
  return write(args.ctx, args.input, "create");
}

export function updateConsumer(args: { ctx: Ctx; input: z.input<typeof CreateConsumerInput> }) {
  return write(args.ctx, args.input, "update");
}

export async function getConsumer({ ctx, input }: { ctx: Ctx; input: z.input<typeof GetInput> }) {
  const { project, name } = parseInput(GetInput, input);
  const p = await authorize(ctx, project, "definitions.read");
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
  return { ...row, featureServices: services.map((s) => s.name) };
}

export async function listConsumers({ ctx, input }: { ctx: Ctx; input: { project: string } }) {
  const p = await authorize(ctx, parseInput(Name, input.project), "definitions.read");
  const rows = await ctx.db
    .select({ consumer: consumers, service: featureServices.name })
    .from(consumers)
    .leftJoin(consumerFeatureServices, eq(consumerFeatureServices.consumerId, consumers.id))
    .leftJoin(featureServices, eq(featureServices.id, consumerFeatureServices.featureServiceId))
    .where(eq(consumers.projectId, p.id))
    .orderBy(asc(consumers.name));
  const out = new Map<string, typeof consumers.$inferSelect & { featureServices: string[] }>();
  for (const { consumer, service } of rows) {
    const entry = out.get(consumer.id) ?? { ...consumer, featureServices: [] };
    if (service) entry.featureServices.push(service);
    out.set(consumer.id, entry);
  }
  return [...out.values()];
}
