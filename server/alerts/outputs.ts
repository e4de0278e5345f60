import "server-only";
import { z } from "zod";
import {
  ALERT_EVENTS,
  ALERT_FORMATS,
  DELIVERY_EVENTS,
  DELIVERY_STATUSES,
  INCIDENT_CAUSES,
} from "../core/vocabulary";

/** What the alerts operations answer: never a rule's secret, never a receiver's response body. */
export const AlertRule = z.object({
  id: z.string(),
  name: z.string(),
  events: z.array(z.enum(ALERT_EVENTS)),
  featureView: z.string().nullable(),
  format: z.enum(ALERT_FORMATS),
  url: z.string(),
  enabled: z.boolean(),
  createdBy: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

/** The secret is in this answer only: shown once, at creation. */
export const CreatedAlertRule = z.object({ rule: AlertRule, secret: z.string() });

export const Delivery = z.object({
  id: z.string(),
  rule: z.string(),
  ruleId: z.string(),
  event: z.enum(DELIVERY_EVENTS),
  featureView: z.string().nullable(),
  incidentId: z.string().nullable(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  responseCode: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  lastAttemptAt: z.date().nullable(),
  deliveredAt: z.date().nullable(),
  nextAttemptAt: z.date().nullable(),
});

export const DeliveryPage = z.object({ deliveries: z.array(Delivery), total: z.number() });

export const Incident = z.object({
  id: z.string(),
  featureView: z.string(),
  cause: z.enum(INCIDENT_CAUSES),
  openedAt: z.date(),
  closedAt: z.date().nullable(),
  /** closedAt (or now, while open) - openedAt. */
  durationSeconds: z.number(),
  details: z.record(z.string(), z.unknown()),
});

export const IncidentPage = z.object({ incidents: z.array(Incident), total: z.number() });
