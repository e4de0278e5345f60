import { z } from "zod";
import { Name } from "../core/name";
import { VALUE_TYPES } from "../core/vocabulary";

/**
 * The definition of an on-demand feature view (docs/adr/0036-on-demand-features.md): features
 * computed at request time by CEL expressions over other views' features and the request's data.
 * Pure (no server-only): the registry, the engine and later the forms read it.
 */

/** Longest expression accepted: CEL has no loops, so its cost is bounded by its size. */
export const MAX_EXPRESSION_CHARS = 4_000;

/** The variable that holds the request's fields in expressions (`request.boost`). */
export const REQUEST_VARIABLE = "request";

const ValueType = z.enum(VALUE_TYPES);
const Description = z.string().max(4000).default("");

export const ON_DEMAND_INPUT_REF = /^([a-z][a-z0-9_]{0,62}):([a-z][a-z0-9_]{0,62})$/;

export const RequestFieldSpec = z.object({ name: Name, dtype: ValueType });
export type RequestFieldSpec = z.infer<typeof RequestFieldSpec>;

export const OnDemandFieldSpec = z.object({
  name: Name,
  dtype: ValueType,
  expression: z.string().trim().min(1, "an expression is required").max(MAX_EXPRESSION_CHARS),
  description: z.string().max(2000).default(""),
});
export type OnDemandFieldSpec = z.infer<typeof OnDemandFieldSpec>;

export const OnDemandViewSpec = z
  .object({
    name: Name,
    /** The features the expressions read, as "view:feature" of regular feature views. */
    inputs: z.array(z.string().regex(ON_DEMAND_INPUT_REF, 'must be "view:feature"')).max(200).default([]),
    /** Fields the caller sends with each entity row (`request_context` online, entity columns offline). */
    requestFields: z.array(RequestFieldSpec).max(100).default([]),
    /** The computed features. */
    fields: z.array(OnDemandFieldSpec).min(1, "an on-demand view needs at least one field").max(100),
    description: Description,
    tags: z
      .record(z.string().min(1).max(64), z.string().max(256))
      .refine((t) => Object.keys(t).length <= 32, "at most 32 tags")
      .default({}),
    owner: z.string().max(256).default(""),
  })
  .superRefine((s, ctx) => {
    const dup = (list: string[], what: string, at: (i: number) => (string | number)[]) => {
      const seen = new Set<string>();
      list.forEach((x, i) => {
        if (seen.has(x)) ctx.addIssue({ code: "custom", path: at(i), message: `duplicate ${what} "${x}"` });
        seen.add(x);
      });
    };
    dup(s.inputs, "input", (i) => ["inputs", i]);
    dup(
      s.requestFields.map((f) => f.name),
      "request field",
      (i) => ["requestFields", i, "name"],
    );
    dup(
      s.fields.map((f) => f.name),
      "field",
      (i) => ["fields", i, "name"],
    );
    s.inputs.forEach((ref, i) => {
      if (ref.startsWith(`${REQUEST_VARIABLE}:`))
        ctx.addIssue({
          code: "custom",
          path: ["inputs", i],
          message: `"${REQUEST_VARIABLE}" names the request's fields in expressions; a feature view of that name cannot be an input`,
        });
    });
  });
export type OnDemandViewSpec = z.infer<typeof OnDemandViewSpec>;
export type OnDemandViewSpecInput = z.input<typeof OnDemandViewSpec>;
