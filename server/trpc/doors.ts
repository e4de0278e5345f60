import "server-only";
import type { z } from "zod";
import type { Access, AnyOperation, Operation, OperationKind } from "../operations/define";
import { procedure } from "./init";

/**
 * tRPC doors derived from operation descriptors (server/operations/define.ts): the procedure's
 * input and output schemas, its declared access and its body all come from the descriptor.
 */

function base<I extends z.ZodType, O extends z.ZodType>(
  op: Operation<I, O, Access, OperationKind, z.input<O>>,
) {
  return procedure.meta({ action: op.access, operation: op.name }).input(op.input).output(op.output);
}

export function queryDoor<I extends z.ZodType, O extends z.ZodType, A extends Access>(
  op: Operation<I, O, A, "query", z.input<O>>,
) {
  return base(op as never as Operation<I, O>).query(
    ({ ctx, input }) => op.callParsed(ctx.svc, input as z.output<I>) as never,
  );
}

export function mutationDoor<I extends z.ZodType, O extends z.ZodType, A extends Access>(
  op: Operation<I, O, A, "mutation", z.input<O>>,
) {
  return base(op as never as Operation<I, O>).mutation(
    ({ ctx, input }) => op.callParsed(ctx.svc, input as z.output<I>) as never,
  );
}

/** The procedure of one operation: a query or a mutation, as its descriptor says. */
export type DoorOf<Op> =
  Op extends Operation<infer I, infer O, infer A, "query", infer _R>
    ? ReturnType<typeof queryDoor<I, O, A>>
    : Op extends Operation<infer I, infer O, infer A, "mutation", infer _R>
      ? ReturnType<typeof mutationDoor<I, O, A>>
      : never;

export type DoorsOf<T extends Record<string, AnyOperation>> = { [K in keyof T]: DoorOf<T[K]> };

/** The procedures of a group of operations, keyed as the group is. */
export function doorsOf<T extends Record<string, AnyOperation>>(ops: T): DoorsOf<T> {
  const out: Record<string, unknown> = {};
  for (const [key, op] of Object.entries(ops)) {
    if (!op.doors.includes("trpc")) throw new Error(`operation ${op.name} has no tRPC door`);
    out[key] = op.kind === "query" ? queryDoor(op as never) : mutationDoor(op as never);
  }
  return out as DoorsOf<T>;
}
