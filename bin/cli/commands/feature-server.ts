import { rootLogger } from "../../../server/core/log";
import { DEFAULT_PORT, runFeatureServer } from "../../../server/feature-server";
import { parseCommandArgs, parsePositiveInt, UsageError } from "../args";

/**
 * `quiver serve [--port 6566] [--workers N] [--host H]`: the standalone feature server
 * (server/feature-server). Port 0 takes any free port (the listening line names it). It logs JSON
 * lines to stdout, as the app does, and runs until SIGTERM or SIGINT.
 */
export async function featureServerCommand(argv: string[]): Promise<undefined> {
  const { values } = parseCommandArgs(argv, {
    strings: ["port", "workers", "host"],
    positionals: [0, 0],
    names: "",
  });
  const workers = parsePositiveInt(values.workers, "--workers") ?? 1;
  if (workers > 256) throw new UsageError(`--workers: ${workers} is more than 256`);
  await runFeatureServer({
    port: port(values.port),
    host: typeof values.host === "string" ? values.host : undefined,
    workers,
    log: rootLogger(),
  });
  return undefined;
}

function port(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port: "${value}" is not a port number (0: any free port)`);
  return n;
}
