import { setInstanceAdmin } from "../../../server/admin/admins";
import { isRole, ROLES } from "../../../server/auth/roles";
import { createUser } from "../../../server/auth/users";
import { parseCommandArgs, UsageError } from "../args";
import { log } from "../log";
import { withSession } from "../session";

/**
 * `quiver user create --email e --name n (--password-stdin | --password p) [--project p --role r] [--admin]`:
 * the first user becomes owner of every project and instance administrator (like the setup page);
 * later ones join one project, or become administrators with --admin (a project is then optional).
 * `quiver user admin --email e [--revoke]` makes an existing user an administrator, or no longer one.
 */
export async function userCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    strings: ["email", "name", "password", "project", "role"],
    booleans: ["password-stdin", "admin", "revoke"],
    positionals: [1, 1],
    names: "create|admin",
  });
  if (positionals[0] === "admin") return adminCommand(values);
  if (positionals[0] !== "create")
    throw new UsageError(`unknown subcommand "${positionals[0]}": use "user create" or "user admin"`);
  if (values.revoke) throw new UsageError("--revoke belongs to `user admin`");
  const admin = values.admin === true;
  const email = required(values.email, "--email");
  const name = required(values.name, "--name");
  const password = await passwordFrom(values);
  const role = values.role === undefined ? undefined : String(values.role);
  if (role !== undefined && !isRole(role))
    throw new UsageError(`--role: "${role}" is not one of ${ROLES.join(", ")}`);
  const project = values.project === undefined ? undefined : String(values.project);
  if ((project === undefined) !== (role === undefined))
    throw new UsageError("give --project and --role together");
  return withSession(async (s) => {
    const { user, firstOwner } = await createUser({
      ctx: s.ctx,
      input: { name, email, password, project, role, admin },
    });
    const where = project ? `${role} in project ${project}` : "in no project yet";
    log(
      firstOwner
        ? `created ${user.email}, owner of every project and instance administrator (the setup page is now closed)`
        : admin
          ? `created ${user.email}, instance administrator, ${where}`
          : `created ${user.email}, ${where}`,
    );
    return 0;
  });
}

/** `user admin --email e [--revoke]`: grants or takes away instance administration, audited. */
async function adminCommand(values: Record<string, string | boolean | undefined>): Promise<number> {
  for (const flag of ["name", "password", "password-stdin", "project", "role", "admin"])
    if (values[flag] !== undefined) throw new UsageError(`--${flag} belongs to \`user create\``);
  const email = required(values.email, "--email");
  const admin = values.revoke !== true;
  return withSession(async (s) => {
    const r = await setInstanceAdmin({ ctx: s.ctx, input: { email, admin } });
    if (!r.changed)
      log(
        `${r.email} ${admin ? "is an instance administrator already" : "is not an instance administrator"}; nothing changed`,
      );
    else log(`${r.email} is ${admin ? "now" : "no longer"} an instance administrator`);
    return 0;
  });
}

function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`${flag} is required`);
  return value;
}

/** --password-stdin keeps the password out of the shell history and the process list. */
async function passwordFrom(values: Record<string, string | boolean | undefined>): Promise<string> {
  const inline = values.password;
  if (values["password-stdin"]) {
    if (inline !== undefined) throw new UsageError("give --password or --password-stdin, not both");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin)
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const text = Buffer.concat(chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
    if (!text) throw new UsageError("--password-stdin: nothing was read from standard input");
    return text;
  }
  if (typeof inline !== "string") throw new UsageError("--password or --password-stdin is required");
  return inline;
}
