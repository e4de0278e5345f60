import "server-only";

export { type DriftReport, raiseDriftAlert } from "./drift";
export { listDeliveries, listDeliveriesOp, listIncidents, listIncidentsOp } from "./list";
export { type Alerting, startAlerting } from "./loop";
export {
  createAlertRule,
  createAlertRuleOp,
  deleteAlertRule,
  deleteAlertRuleOp,
  listAlertRules,
  listAlertRulesOp,
  testAlertRule,
  testAlertRuleOp,
  updateAlertRule,
  updateAlertRuleOp,
} from "./rules";
