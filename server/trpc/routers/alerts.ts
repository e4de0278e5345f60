import "server-only";
import {
  createAlertRuleOp,
  deleteAlertRuleOp,
  listAlertRulesOp,
  listDeliveriesOp,
  listIncidentsOp,
  testAlertRuleOp,
  updateAlertRuleOp,
} from "../../alerts";
import { doorsOf } from "../doors";
import { router } from "../init";

/** Alerts (docs/adr/0032-alerts.md): rules for owners; the delivery log and incidents for any member. */
export const alertsRouter = router({
  rules: router(
    doorsOf({
      list: listAlertRulesOp,
      create: createAlertRuleOp,
      update: updateAlertRuleOp,
      delete: deleteAlertRuleOp,
      test: testAlertRuleOp,
    }),
  ),
  deliveries: router(doorsOf({ list: listDeliveriesOp })),
  incidents: router(doorsOf({ list: listIncidentsOp })),
});
