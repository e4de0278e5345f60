import "server-only";

export { cancelDataset, cancelDatasetOp } from "./cancel-dataset";
export { createDataset, createDatasetOp } from "./create-dataset";
export { deleteDataset, deleteDatasetOp } from "./delete-dataset";
export { DatasetDownload, downloadDataset, downloadDatasetOp } from "./download-dataset";
export { buildDatasetOp } from "./job-operations";
export { previewDataset, previewDatasetOp } from "./preview-dataset";
export { previewDraft, previewDraftOp } from "./preview-draft";
export { getDataset, getDatasetOp, listDatasets, listDatasetsOp } from "./read-datasets";
export { uploadEntities, uploadEntitiesOp } from "./upload";
