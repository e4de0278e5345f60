import "server-only";
import {
  createOnDemandViewOp,
  deleteOnDemandViewOp,
  getOnDemandViewOp,
  listOnDemandViewsOp,
  updateOnDemandViewOp,
} from "../../on-demand/registry";
import { diffOnDemandViewVersionsOp, listOnDemandViewVersionsOp } from "../../on-demand/versions";
import { doorsOf } from "../doors";
import { router } from "../init";

/** On-demand feature views (docs/adr/0036-on-demand-features.md): CEL features computed at request time. */
export const onDemandViewsRouter = router(
  doorsOf({
    list: listOnDemandViewsOp,
    get: getOnDemandViewOp,
    create: createOnDemandViewOp,
    update: updateOnDemandViewOp,
    delete: deleteOnDemandViewOp,
    versions: listOnDemandViewVersionsOp,
    diff: diffOnDemandViewVersionsOp,
  }),
);
