import { openDatabase } from "../../../server/boot/launch";
import { parseCommandArgs } from "../args";
import { log } from "../log";

export async function migrateCommand(argv: string[]): Promise<number> {
  parseCommandArgs(argv, { positionals: [0, 0], names: "" });
  const db = await openDatabase(log);
  await db.stop();
  log("migrations applied");
  return 0;
}
