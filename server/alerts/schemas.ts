import { z } from "zod";
import { Name } from "../core/name";
import { ALERT_EVENTS, ALERT_FORMATS, DELIVERY_EVENTS, DELIVERY_STATUSES } from "../core/vocabulary";

/** Inputs of the alerts operations, shared by every door. */

const RuleName = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
const RuleId = z.uuid("must be an alert rule id");

export const CreateAlertRuleInput = z.object({
  project: Name,
  name: RuleName,
  events: z
    .array(z.enum(ALERT_EVENTS))
    .min(1, "must name at least one event")
    .transform((e) => [...new Set(e)]),
  /** Only this feature view's events; unset: every view. */
  featureView: Name.optional(),
  format: z.enum(ALERT_FORMATS),
  url: z.string().max(2000, "must be at most 2000 characters"),
  enabled: z.boolean().default(true),
});

export const UpdateAlertRuleInput = z.object({ project: Name, id: RuleId, enabled: z.boolean() });
export const AlertRuleRef = z.object({ project: Name, id: RuleId });
export const ListAlertRulesInput = z.object({ project: Name });

export const ListDeliveriesInput = z.object({
  project: Name,
  status: z.enum(DELIVERY_STATUSES).optional(),
  event: z.enum(DELIVERY_EVENTS).optional(),
  ruleId: RuleId.optional(),
  featureView: Name.optional(),
  limit: z.number().int().min(1).max(200).default(50),
  offset: z.number().int().min(0).default(0),
});

export const ListIncidentsInput = z.object({
  project: Name,
  featureView: Name.optional(),
  /** Only incidents still open. */
  open: z.boolean().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  offset: z.number().int().min(0).default(0),
});
