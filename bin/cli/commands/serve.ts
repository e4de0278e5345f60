import { launchApp, launchWorker } from "../../../server/boot/launch";
import { env } from "../../../server/env";
import { parseCommandArgs, parsePort, parsePositiveInt } from "../args";
import { log } from "../log";

/** `quiver start`: the production app and the worker in one process. */
export async function startCommand(argv: string[]): Promise<undefined> {
  const { values } = parseCommandArgs(argv, { strings: ["port"], positionals: [0, 0], names: "" });
  await launchApp({ dev: false, port: parsePort(values.port, env().PORT), log });
  return undefined;
}

/** `quiver dev`: like start, with Next.js in development mode. */
export async function devCommand(argv: string[]): Promise<undefined> {
  const { values } = parseCommandArgs(argv, { strings: ["port"], positionals: [0, 0], names: "" });
  await launchApp({ dev: true, port: parsePort(values.port, env().PORT), log });
  return undefined;
}

export async function workerCommand(argv: string[]): Promise<undefined> {
  const { values } = parseCommandArgs(argv, { strings: ["concurrency"], positionals: [0, 0], names: "" });
  await launchWorker({ concurrency: parsePositiveInt(values.concurrency, "--concurrency"), log });
  return undefined;
}
