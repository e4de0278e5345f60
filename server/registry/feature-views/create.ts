import "server-only";
import { z } from "zod";
import { recordAudit } from "../../audit/record";
import { actorLabel, inTransaction } from "../../core/context";
import { Name } from "../../core/name";
import { uniquely } from "../../core/unique";
import { featureViews, featureViewVersions } from "../../db/schema";
import { defineOperation } from "../../operations/define";
import * as out from "../outputs";
import { FeatureViewSpec } from "../schemas";
import { refuseServedNameTaken } from "../served-names";
import { checkSpecAgainstSource, headColumns, resolveReferences, writeDerivedRows } from "./refs";
import { storedSpec } from "./spec-store";

export const CreateFeatureViewInput = z.object({ project: Name, spec: FeatureViewSpec });

/** Registers a new feature view as version 1. */
export const createFeatureViewOp = defineOperation({
  name: "featureViews.create",
  summary: "Register a feature view: version 1 of its spec.",
  kind: "mutation",
  access: "definitions.write",
  input: CreateFeatureViewInput,
  output: out.WrittenView,
  run: async ({ ctx, input: { spec }, project: p }) => {
    const checked = await resolveReferences(ctx, p.id, spec);
    await checkSpecAgainstSource(ctx, p.name, checked.source, spec, checked.entities);
    return inTransaction(ctx, async (tx) => {
      await refuseServedNameTaken(tx, p.id, spec.name, "feature view", "name");
      // Resolved again inside the transaction: the rows written must be the ones that exist now.
      const refs = await resolveReferences(tx, p.id, spec);
      const [view] = await uniquely(`feature view "${spec.name}"`, () =>
        tx.db
          .insert(featureViews)
          .values({
            projectId: p.id,
            name: spec.name,
            currentVersion: 1,
            ...headColumns(spec, refs.source.id),
          })
          .returning({ id: featureViews.id }),
      );
      if (!view) throw new Error("insert returned no row");
      await tx.db.insert(featureViewVersions).values({
        featureViewId: view.id,
        version: 1,
        spec: storedSpec(spec),
        createdBy: actorLabel(tx.actor),
      });
      await writeDerivedRows(tx, { id: view.id, projectId: p.id }, spec, refs.entities);
      await recordAudit(tx, {
        project: p,
        action: "feature_view.create",
        objectType: "feature_view",
        objectName: spec.name,
        after: { version: 1, spec },
      });
      return { id: view.id, name: spec.name, version: 1 };
    });
  },
});
export const createFeatureView = createFeatureViewOp.call;
