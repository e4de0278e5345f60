export {
  type CompiledView,
  type ComputedColumn,
  compiledVersion,
  compileOnDemand,
  evaluateOnDemand,
  type InputTypes,
  type RowInputs,
} from "./engine";
export * from "./spec";
