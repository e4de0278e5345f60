import "server-only";
import {
  cancelDatasetOp,
  createDatasetOp,
  deleteDatasetOp,
  getDatasetOp,
  listDatasetsOp,
  previewDatasetOp,
  previewDraftOp,
  uploadEntitiesOp,
} from "../../datasets";
import { deprecateDatasetOp, undeprecateDatasetOp } from "../../registry/lifecycle";
import { doorsOf } from "../doors";
import { router } from "../init";

/** Saved datasets (docs/adr/0022); downloads are REST only (GET /api/v1/datasets/download): a file, not JSON. */
export const datasetsRouter = router(
  doorsOf({
    upload: uploadEntitiesOp,
    previewDraft: previewDraftOp,
    create: createDatasetOp,
    list: listDatasetsOp,
    get: getDatasetOp,
    preview: previewDatasetOp,
    cancel: cancelDatasetOp,
    delete: deleteDatasetOp,
    deprecate: deprecateDatasetOp,
    undeprecate: undeprecateDatasetOp,
  }),
);
