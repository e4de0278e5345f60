import { describeSeed, materializeDemo } from "../../../server/boot/seed";
import { seedDemo } from "../../../server/demo/seed";
import { parseCommandArgs } from "../args";
import { log } from "../log";
import { withSession } from "../session";
import { followRuns } from "./follow-runs";

/** `quiver seed`: replaces the demo project and its offline tables, then materializes them. */
export async function seedCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { booleans: ["no-materialize"], positionals: [0, 0], names: "" });
  return withSession(async (s) => {
    const started = Date.now();
    const seed = await seedDemo(s.ctx);
    log(`${describeSeed(seed)} in ${Date.now() - started} ms`);
    if (values["no-materialize"]) return 0;
    const runs = await materializeDemo(s.ctx, seed);
    await s.ensureWorker();
    return followRuns(s.ctx, runs);
  });
}
