import "server-only";
import { streamViewLagOp } from "../../streams/lag-op";
import {
  createStreamViewOp,
  deleteStreamViewOp,
  getStreamViewOp,
  listStreamViewsOp,
  updateStreamViewOp,
} from "../../streams/registry";
import { diffStreamViewVersionsOp, listStreamViewVersionsOp } from "../../streams/versions";
import { doorsOf } from "../doors";
import { router } from "../init";

/** Stream views (docs/adr/0037-stream-aggregations.md): read by members, defined by editors. */
export const streamViewsRouter = router(
  doorsOf({
    list: listStreamViewsOp,
    get: getStreamViewOp,
    create: createStreamViewOp,
    update: updateStreamViewOp,
    delete: deleteStreamViewOp,
    versions: listStreamViewVersionsOp,
    diff: diffStreamViewVersionsOp,
    lag: streamViewLagOp,
  }),
);
