import "server-only";
import { recordAudit } from "../audit/record";
import { type Auth, createAuth } from "../auth/better-auth";
import { authSecret } from "../auth/secret";
import { getRuntime } from "../boot/runtime";
import { env } from "../env";

// On globalThis like getRuntime: Next bundles each route handler on its own and its dev server
// re-evaluates modules, but a process needs one better-auth instance.
const KEY = Symbol.for("quiver.auth");
type Holder = { [KEY]?: Promise<Auth> };

/** The process's better-auth instance, on the runtime's database. */
export function getAuth(): Promise<Auth> {
  const holder = globalThis as Holder;
  const existing = holder[KEY];
  if (existing) return existing;
  const created = (async () => {
    const runtime = await getRuntime();
    return createAuth(runtime.db, {
      secret: authSecret(),
      loginsPerMinute: env().QUIVER_LOGINS_PER_MINUTE,
      ctxFor: (actor) => runtime.ctxFor(actor),
      audit: (actor, entry) => recordAudit(runtime.ctxFor(actor), entry),
    });
  })();
  holder[KEY] = created;
  created.catch(() => {
    if (holder[KEY] === created) delete holder[KEY];
  });
  return created;
}
