import "server-only";
import { defineOperation } from "../operations/define";
import { loadDataset, loadDatasets } from "./rows";
import { Dataset, DatasetList, DatasetRef, ListDatasetsInput } from "./schemas";

export const listDatasetsOp = defineOperation({
  name: "datasets.list",
  summary: "A project's saved datasets with their build status and progress, newest first.",
  kind: "query",
  access: "definitions.read",
  input: ListDatasetsInput,
  output: DatasetList,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, project }) => ({ items: await loadDatasets(ctx, project.id) }),
});
export const listDatasets = listDatasetsOp.call;

export const getDatasetOp = defineOperation({
  name: "datasets.get",
  summary: "One saved dataset: its definition, build status, progress, storage and lineage.",
  kind: "query",
  access: "definitions.read",
  input: DatasetRef,
  output: Dataset,
  doors: ["trpc", "rest", "cli"],
  run: ({ ctx, input, project }) => loadDataset(ctx, project, input.name),
});
export const getDataset = getDatasetOp.call;
