import { env } from "../../../server/env";
import {
  addOwnSchema,
  checkOfflineSpaces,
  getOfflineSpace,
  grantSharedSchema,
  offlineSetupStatements,
  revokeSharedSchema,
} from "../../../server/registry";
import { parseCommandArgs, UsageError } from "../args";
import { log } from "../log";
import { withSession } from "../session";

/**
 * `quiver offline show|check|setup-sql|own|share|unshare`: a project's offline space
 * (docs/adr/0013-offline-isolation.md).
 */
export async function offlineCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    strings: ["project", "schema"],
    positionals: [1, 1],
    names: "show|check|setup-sql|own|share|unshare",
  });
  const project = String(values.project ?? env().QUIVER_DEFAULT_PROJECT);
  const schema = () => {
    const s = values.schema;
    if (typeof s !== "string" || s.trim() === "") throw new UsageError("--schema is required");
    return s;
  };
  switch (positionals[0]) {
    case "show":
      return withSession(async (s) => {
        const space = await getOfflineSpace({ ctx: s.ctx, input: { project } });
        console.log(`project ${project}, offline database ${space.database}`);
        console.log(`  own schemas:    ${space.own.join(", ")}`);
        console.log(`  shared (read):  ${space.shared.join(", ") || "none"}`);
        console.log(`  reader role:    ${space.roles.reader}`);
        console.log(`  writer role:    ${space.roles.writer}`);
        return 0;
      });
    case "check":
      return withSession(async (s) => {
        const checks = await checkOfflineSpaces({ ctx: s.ctx });
        for (const c of checks) console.log(`${c.project}: ${c.problem ?? "ok"}`);
        return checks.every((c) => c.problem === null) ? 0 : 1;
      });
    case "setup-sql":
      return withSession(async (s) => {
        const statements = await offlineSetupStatements({ ctx: s.ctx, input: { project } });
        log("run these as a role that may create roles and grant on the offline database;");
        log("they hold the roles' passwords (derived from QUIVER_AUTH_SECRET): keep them private");
        for (const statement of statements) console.log(`${statement};`);
        return 0;
      });
    case "own": {
      const name = schema();
      return withSession(async (s) => {
        const space = await addOwnSchema({ ctx: s.ctx, input: { project, schema: name } });
        log(`project ${project} now owns ${space.own.join(", ")}`);
        return 0;
      });
    }
    case "share": {
      const name = schema();
      return withSession(async (s) => {
        const space = await grantSharedSchema({ ctx: s.ctx, input: { project, schema: name } });
        log(`project ${project} now reads ${space.shared.join(", ")}`);
        return 0;
      });
    }
    case "unshare": {
      const name = schema();
      return withSession(async (s) => {
        await revokeSharedSchema({ ctx: s.ctx, input: { project, schema: name } });
        log(`project ${project} no longer reads ${name}`);
        return 0;
      });
    }
    default:
      throw new UsageError(
        `unknown subcommand "${positionals[0]}": use show, check, setup-sql, own, share or unshare`,
      );
  }
}
