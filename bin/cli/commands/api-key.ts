import { createApiKey, listApiKeys, revokeApiKey } from "../../../server/auth/api-keys";
import { isRole, ROLES } from "../../../server/auth/roles";
import { env } from "../../../server/env";
import { parseCommandArgs, parseTimestamp, UsageError } from "../args";
import { log } from "../log";
import { withSession } from "../session";

/**
 * `quiver api-key create --project p --role r --name n [--expires 2027-01-01]` prints the key once;
 * `quiver api-key list [--project p]`; `quiver api-key revoke --id <id> [--project p]`.
 */
export async function apiKeyCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    strings: ["project", "role", "name", "expires", "id"],
    positionals: [1, 1],
    names: "create|list|revoke",
  });
  const project = String(values.project ?? env().QUIVER_DEFAULT_PROJECT);
  switch (positionals[0]) {
    case "create": {
      const name = required(values.name, "--name");
      const role = required(values.role, "--role");
      if (!isRole(role)) throw new UsageError(`--role: "${role}" is not one of ${ROLES.join(", ")}`);
      const expiresAt =
        values.expires === undefined ? undefined : parseTimestamp(String(values.expires), "--expires");
      return withSession(async (s) => {
        const { key, apiKey } = await createApiKey({ ctx: s.ctx, input: { project, name, role, expiresAt } });
        log(`created API key "${apiKey.name}" (${apiKey.role} in project ${project}, id ${apiKey.id})`);
        log("the key is shown this once: store it now (Quiver keeps only its hash)");
        console.log(key);
        return 0;
      });
    }
    case "list":
      return withSession(async (s) => {
        const keys = await listApiKeys({ ctx: s.ctx, input: { project } });
        if (keys.length === 0) log(`no API keys in project ${project}`);
        for (const k of keys) {
          const status = k.revokedAt
            ? "revoked"
            : k.expiresAt && k.expiresAt.getTime() <= Date.now()
              ? "expired"
              : "active";
          console.log(
            [
              k.id,
              k.name,
              `${k.prefix}…`,
              k.role,
              status,
              `expires ${k.expiresAt?.toISOString() ?? "never"}`,
              `last used ${k.lastUsedAt?.toISOString() ?? "never"}`,
            ].join("  "),
          );
        }
        return 0;
      });
    case "revoke": {
      const id = required(values.id, "--id");
      return withSession(async (s) => {
        const k = await revokeApiKey({ ctx: s.ctx, input: { project, id } });
        log(`revoked API key "${k.name}" (refused from the next request on)`);
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown subcommand "${positionals[0]}": use create, list or revoke`);
  }
}

function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`${flag} is required`);
  return value;
}
