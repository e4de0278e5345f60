import "server-only";
import { z } from "zod";
import { requireInstanceAdmin } from "../admin/access";
import { authorize, type ProjectRow, UnauthorizedError } from "../auth/authorize";
import type { Action } from "../auth/roles";
import type { Ctx } from "../core/context";
import { ForbiddenError, InvalidError, NotFoundError } from "../core/errors";
import { parseInput } from "../core/parse-input";
import { env } from "../env";

/**
 * One descriptor per operation (docs/adr/0021-operation-descriptors.md): its name, input and
 * output schemas, who may call it and what it does. Every door is derived from it: the tRPC
 * procedure (server/trpc/doors.ts), the REST route and the OpenAPI document (server/web/rest-ops.ts,
 * server/operations/openapi.ts), the CLI (bin/cli) and the job worker call `op.call`. The gate
 * (parse, then authorize) runs here, once, so no service repeats it.
 */

/**
 * Who may call an operation:
 * - a project action: the caller's role in the input's `project` must allow it (auth/roles.ts);
 * - "signed_in": anyone signed in, or an API key; "public": anyone;
 * - "instance.admin": instance administrators (docs/adr/0014), never an API key;
 * - "trusted": Quiver itself and the local CLI only (they hold the database credentials anyway).
 */
export type Access = Action | "public" | "signed_in" | "instance.admin" | "trusted";
export type OperationKind = "query" | "mutation";

/** How an operation is reached over REST beyond its generic route (POST /api/v1/ops/<name>). */
export interface RestDoor {
  /** A path of its own, e.g. Feast's "/api/v1/get-online-features". */
  path?: string;
  /** POST unless said; a GET takes no body. */
  method?: "GET" | "POST";
  /** The success status; 200 unless said. */
  status?: number;
  /** Largest accepted body in bytes (server/http/rest.ts has the default). */
  bodyLimit?: number;
  /** false: the answer is sent as run() built it, unchecked against `output` (hot paths only). */
  outputChecked?: boolean;
  /** A response of its own for some answers (CSV, say); undefined: JSON as usual. */
  respond?: (output: unknown, input: unknown) => Response | undefined;
  /** A status from the answer (health: 503 when a store is down); else `status`. */
  statusOf?: (output: unknown) => number;
}

export type Doors = "trpc" | "rest" | "cli" | "job";

interface Spec<
  I extends z.ZodType,
  O extends z.ZodType,
  A extends Access,
  K extends OperationKind,
  R extends z.input<O>,
> {
  /** Dotted, e.g. "entities.create": the tRPC path, the REST route's last part, the log name. */
  name: string;
  /** One line for OpenAPI and help texts. */
  summary: string;
  kind: K;
  access: A;
  input: I;
  /** What leaves through a door: fields not listed here never do (a key's hash, say). */
  output: O;
  /** Doors that expose it; tRPC and REST unless said (the CLI and jobs may call any operation). */
  doors?: readonly Doors[];
  rest?: RestDoor;
  /**
   * "defaulted": Feast's request bodies, where `project` may be left out (QUIVER_DEFAULT_PROJECT)
   * and a project the caller cannot see is the body's fault (400 naming "project"), not a 404.
   */
  project?: "required" | "defaulted";
  /**
   * false: a mutation that writes no registry table (values, runs). Any other mutation empties this
   * process's registry cache when it returns, so the process reads its own writes at once instead
   * of after their notification (docs/adr/0023-serving-at-redis-speed.md).
   */
  writesRegistry?: false;
  run(args: RunArgs<I, A>): Promise<R>;
}

/** What run() receives: the parsed input, and for a project action the project the caller may act in. */
export type RunArgs<I extends z.ZodType, A extends Access> = {
  ctx: Ctx;
  input: z.output<I>;
} & (A extends Action ? { project: ProjectRow } : { project?: undefined });

export interface Operation<
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
  A extends Access = Access,
  K extends OperationKind = OperationKind,
  R extends z.input<O> = z.input<O>,
> extends Spec<I, O, A, K, R> {
  doors: readonly Doors[];
  /**
   * Parse, authorize, run: how services call each other, and how the CLI and jobs call. It answers
   * what run() returns; doors send only what `output` lists.
   */
  call(args: CallArgs<I>): Promise<R>;
  /** The same on input a door has already parsed with `input` (tRPC does). */
  callParsed(ctx: Ctx, input: z.output<I>): Promise<R>;
}

/** An operation that takes no input may be called without one. */
export type CallArgs<I extends z.ZodType> = { ctx: Ctx } & (undefined extends z.input<I>
  ? { input?: z.input<I> }
  : { input: z.input<I> });

// biome-ignore lint/suspicious/noExplicitAny: a list of operations of any input and output
export type AnyOperation = Operation<any, any, Access, OperationKind, any>;

export function defineOperation<
  I extends z.ZodType,
  O extends z.ZodType,
  A extends Access,
  K extends OperationKind,
  R extends z.input<O>,
>(spec: Spec<I, O, A, K, R>): Operation<I, O, A, K, R> {
  const emptiesCache = spec.kind === "mutation" && spec.writesRegistry !== false;
  const callParsed = async (ctx: Ctx, input: z.output<I>) => {
    const project = await gate(ctx, spec.access, input, spec.project ?? "required");
    if (!emptiesCache) return spec.run({ ctx, input, project } as RunArgs<I, A>);
    try {
      return await spec.run({ ctx, input, project } as RunArgs<I, A>);
    } finally {
      ctx.registry?.invalidate(spec.name);
    }
  };
  return {
    ...spec,
    doors: spec.doors ?? ["trpc", "rest"],
    callParsed,
    // async: invalid input rejects the promise like any other refusal, never throws synchronously.
    call: async ({ ctx, input }) => callParsed(ctx, parseInput(spec.input, input)),
  };
}

/** Input of operations that take none: nothing, or an empty object (a REST body). */
export const NoInput = z.object({}).strict().optional();

/** Deny by default: the one check every operation passes before it runs. */
async function gate(
  ctx: Ctx,
  access: Access,
  input: unknown,
  project: "required" | "defaulted",
): Promise<ProjectRow | undefined> {
  const { actor } = ctx;
  if (access === "public") return undefined;
  if (actor.kind === "anonymous") throw new UnauthorizedError();
  switch (access) {
    case "signed_in":
      return undefined;
    case "instance.admin":
      if (actor.kind === "api_key")
        throw new ForbiddenError("instance administrators only: API keys never are one");
      await requireInstanceAdmin(ctx);
      return undefined;
    case "trusted":
      if (actor.kind !== "system" && actor.kind !== "local")
        throw new ForbiddenError("only Quiver itself and the quiver CLI on its machine may do this");
      return undefined;
    default: {
      const name = projectOf(input);
      if (project === "required") {
        // The input schema of a project operation requires `project`; reaching here without is a bug.
        if (name === undefined) throw new Error("a project operation's input has no project");
        return authorize(ctx, name, access);
      }
      try {
        return await authorize(ctx, name ?? env().QUIVER_DEFAULT_PROJECT, access);
      } catch (e) {
        if (e instanceof NotFoundError) throw new InvalidError(e.message, "project");
        throw e;
      }
    }
  }
}

function projectOf(input: unknown): string | undefined {
  const project = (input as { project?: unknown } | undefined)?.project;
  if (project === undefined || typeof project === "string") return project;
  throw new Error("a project operation's input has a project that is not a string");
}
