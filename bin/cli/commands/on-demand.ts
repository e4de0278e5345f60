import fs from "node:fs";
import { InvalidError, isDomainError } from "../../../server/core/errors";
import { env } from "../../../server/env";
import {
  createOnDemandView,
  deleteOnDemandView,
  getOnDemandView,
  listOnDemandViews,
  updateOnDemandView,
} from "../../../server/on-demand/registry";
import { parseCommandArgs, parsePositiveInt, UsageError } from "../args";
import { log } from "../log";
import { withSession } from "../session";

export const ON_DEMAND_USAGE = `  on-demand apply <spec.json> [--project p]
                                   register an on-demand view (CEL features computed at request
                                   time, docs/adr/0036) from its JSON spec, or write its next
                                   version; the expressions are type-checked first
  on-demand list|show <name> [--version N]|delete <name> [--project p]
                                   list on-demand views, show one's spec, or delete one`;

const ACTIONS = ["apply", "list", "show", "delete"] as const;

/** `quiver on-demand …`: the on-demand view operations (server/on-demand/registry.ts). */
export async function onDemandCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (!ACTIONS.includes(action as (typeof ACTIONS)[number]))
    throw new UsageError(
      `on-demand: expected one of ${ACTIONS.join(", ")}${action ? `, not "${action}"` : ""}`,
    );
  const { positionals, values } = parseCommandArgs(rest, {
    strings: action === "show" ? ["project", "version"] : ["project"],
    positionals: action === "list" ? [0, 0] : [1, 1],
    names: action === "apply" ? "<spec.json>" : "<name>",
  });
  const project = String(values.project ?? env().QUIVER_DEFAULT_PROJECT);
  const arg = positionals[0] ?? "";
  const spec = action === "apply" ? readSpec(arg) : undefined;
  return withSession(async ({ ctx }) => {
    switch (action) {
      case "apply": {
        const name =
          typeof spec === "object" && spec !== null ? (spec as { name?: unknown }).name : undefined;
        const current =
          typeof name === "string"
            ? await getOnDemandView({ ctx, input: { project, name } }).catch((e: unknown) => {
                if (isDomainError(e) && e.code === "NOT_FOUND") return undefined;
                throw e;
              })
            : undefined;
        const written = current
          ? await updateOnDemandView({
              ctx,
              input: { project, baseVersion: current.currentVersion, spec: spec as never },
            })
          : await createOnDemandView({ ctx, input: { project, spec: spec as never } });
        log(
          `${project}/${written.name}: ${written.changed ? `version ${written.version} written` : `unchanged at version ${written.version}`}`,
        );
        break;
      }
      case "list":
        for (const v of await listOnDemandViews({ ctx, input: { project } }))
          log(`${v.name}  v${v.version}  ${v.spec.fields.map((f) => `${f.name}:${f.dtype}`).join(", ")}`);
        break;
      case "show": {
        const version = parsePositiveInt(values.version, "--version");
        const v = await getOnDemandView({
          ctx,
          input: { project, name: arg, ...(version ? { version } : {}) },
        });
        log(JSON.stringify({ version: v.version, currentVersion: v.currentVersion, spec: v.spec }, null, 2));
        break;
      }
      default:
        await deleteOnDemandView({ ctx, input: { project, name: arg } });
        log(`${project}/${arg}: deleted`);
    }
    return 0;
  });
}

function readSpec(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`, "spec");
  }
}
