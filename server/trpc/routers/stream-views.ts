import "server-only";
import {
  createStreamViewOp,
  deleteStreamViewOp,
  getStreamViewOp,
  listStreamViewsOp,
  updateStreamViewOp,
} from "../../streams/registry";
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
  }),
);
