import { setInstanceAdminOp } from "../../server/admin/admins";
import { createApiKeyOp, listApiKeysOp, revokeApiKeyOp } from "../../server/auth/api-keys";
import { createUserOp } from "../../server/auth/users";
import { BootError } from "../../server/boot/errors";
import { DomainError } from "../../server/core/errors";
import {
  createDatasetOp,
  downloadDatasetOp,
  getDatasetOp,
  listDatasetsOp,
  uploadEntitiesOp,
} from "../../server/datasets";
import {
  cancelRunOp,
  retryRunOp,
  startIncrementalMaterializationOp,
  startMaterializationOp,
} from "../../server/materialization";
import {
  createOnDemandViewOp,
  deleteOnDemandViewOp,
  getOnDemandViewOp,
  listOnDemandViewsOp,
  updateOnDemandViewOp,
} from "../../server/on-demand/registry";
import type { AnyOperation } from "../../server/operations/define";
import {
  addOwnSchemaOp,
  checkOfflineSpacesOp,
  getOfflineSpaceOp,
  grantSharedSchemaOp,
  offlineSetupStatementsOp,
  revokeSharedSchemaOp,
} from "../../server/registry/offline-space";
import {
  deleteScheduleOp,
  deleteTransformationScheduleOp,
  getScheduleOp,
  getTransformationScheduleOp,
  pauseScheduleOp,
  pauseTransformationScheduleOp,
  resumeScheduleOp,
  resumeTransformationScheduleOp,
  setScheduleOp,
  setTransformationScheduleOp,
} from "../../server/schedules";
import { getHistoricalFeaturesOp } from "../../server/serving";
import { getStreamViewOp } from "../../server/streams/registry";
import { listTransformationsOp } from "../../server/transformations/registry";
import {
  backfillTransformationOp,
  getTransformationRunOp,
  retryTransformationRunOp,
  runTransformationOp,
} from "../../server/transformations/runs";
import { UsageError } from "./args";
import { apiKeyCommand } from "./commands/api-key";
import { cancelCommand } from "./commands/cancel";
import { DATASET_USAGE, datasetCommand } from "./commands/dataset";
import { DEMO_STREAM_USAGE, demoStreamCommand } from "./commands/demo-stream";
import { featureServerCommand } from "./commands/feature-server";
import { historicalCommand } from "./commands/historical";
import { materializeCommand, materializeIncrementalCommand } from "./commands/materialize";
import { migrateCommand } from "./commands/migrate";
import { offlineCommand } from "./commands/offline";
import { ON_DEMAND_USAGE, onDemandCommand } from "./commands/on-demand";
import { ONLINE_USAGE, onlineCommand } from "./commands/online";
import { retryCommand } from "./commands/retry";
import { SCHEDULE_USAGE, scheduleCommand } from "./commands/schedule";
import { seedCommand } from "./commands/seed";
import { devCommand, startCommand, workerCommand } from "./commands/serve";
import { STREAM_WORKER_USAGE, streamWorkerCommand } from "./commands/stream-worker";
import { TRANSFORM_USAGE, transformCommand } from "./commands/transform";
import { userCommand } from "./commands/user";

export const USAGE = `Usage: quiver <command> [options]

Commands:
  start [--port N]                 build if needed, then serve the app and run the job worker
                                   (http://localhost:3000; PORT also works)
  dev [--port N]                   the same with Next.js in development mode (hot reload)
  worker [--concurrency N]         run only the materialization worker
${STREAM_WORKER_USAGE}
${DEMO_STREAM_USAGE}
  serve [--port 6566] [--workers N] [--host H]
                                   the standalone feature server: get-online-features, push,
                                   health and /metrics over plain HTTP, API keys only; --workers
                                   forks N processes sharing the port (docs/deployment.md)
  migrate                          apply database migrations
  seed [--no-materialize]          (re)create the demo project and its offline tables, then
                                   materialize it into the online store
  materialize <start> <end> [--views a,b] [--project p]
                                   load the latest row per entity in [start, end] into the
                                   online store
  materialize-incremental <end> [--views a,b] [--project p]
                                   the same from each view's watermark up to <end>
${ONLINE_USAGE}
  get-historical-features --entities rows.csv (--features v:f,... | --service s)
        [--out file.csv|file.json|file.parquet|file.arrow] [--project p] [--full-feature-names]
                                   point-in-time correct training rows for the entity rows of a
                                   CSV (join keys and event_timestamp); CSV to stdout by default
${DATASET_USAGE}
  cancel <runId> [--project p]     cancel a queued, running or retrying materialization run (a
                                   running one stops at its next batch; the watermark stays)
  retry <runId> [--project p]      run a failed run's window again as a new run, and follow it
${SCHEDULE_USAGE}
${TRANSFORM_USAGE}
${ON_DEMAND_USAGE}
  user create --email E --name N (--password-stdin | --password P) [--project P --role R] [--admin]
                                   create a user: the first one owns every project and is an
                                   instance administrator (like the setup page); later ones join
                                   --project as --role (viewer, consumer, editor, operator, owner);
                                   --admin makes an instance administrator (project optional)
  user admin --email E [--revoke]  make an existing user an instance administrator (sees the
                                   instance audit log, creates projects), or no longer one
  api-key create --project P --role R --name N [--expires 2027-01-01]
                                   create an API key for one project and role; prints the key
                                   once (only its hash is stored)
  api-key list [--project P]       list a project's keys (prefix, role, expiry, last use)
  api-key revoke --id ID [--project P]
                                   revoke a key: refused from the next request on
  offline show [--project P]       a project's offline space: its schemas and roles
  offline check                    create every project's roles and schemas, check their grants
  offline setup-sql [--project P]  the SQL a DBA runs when Quiver may not create roles
  offline own --schema S [--project P]
                                   give a project a schema of its own in the offline database
  offline share|unshare --schema S [--project P]
                                   let a project read a shared schema (from QUIVER_SHARED_SCHEMAS)
  help                             show this text

Times are ISO 8601 (2026-01-31, 2026-01-31T12:00:00Z, 2026-01-31T14:00:00+02:00) or "now";
without an offset they are UTC. --project defaults to QUIVER_DEFAULT_PROJECT ("demo").

Environment: DATABASE_URL (default: embedded Postgres in QUIVER_HOME), OFFLINE_DATABASE_URL
(default: <database>_offline beside it), REDIS_URL or REDIS_CLUSTER_NODES=host:port,... (default:
the online store is a Postgres table), PORT (3000), QUIVER_HOME (.quiver), QUIVER_PG_PORT (54329).`;

export interface Command {
  run(argv: string[]): Promise<number | undefined>;
  /**
   * The operations the command invokes (server/operations/define.ts): the CLI is one of their
   * doors, and each call passes the operation's gate, so who may do what is the descriptor's
   * `access`. The CLI acts as the trusted local actor. "local": the command runs this machine's
   * processes or database (which whoever runs it holds the credentials of anyway).
   */
  operations: readonly AnyOperation[] | "local";
}

export const COMMANDS: Record<string, Command> = {
  start: { run: startCommand, operations: "local" },
  dev: { run: devCommand, operations: "local" },
  worker: { run: workerCommand, operations: "local" },
  // Reads the registry and Redis as Quiver itself, like the materialization worker.
  "stream-worker": { run: streamWorkerCommand, operations: "local" },
  "demo-stream": { run: demoStreamCommand, operations: [getStreamViewOp] },
  // A server process: its HTTP callers bring API keys; it never acts as the local actor.
  serve: { run: featureServerCommand, operations: "local" },
  migrate: { run: migrateCommand, operations: "local" },
  seed: { run: seedCommand, operations: "local" },
  // Talks to the online Redis only, as its operator: no operation, no database.
  online: { run: onlineCommand, operations: "local" },
  materialize: { run: materializeCommand, operations: [startMaterializationOp] },
  "materialize-incremental": {
    run: materializeIncrementalCommand,
    operations: [startIncrementalMaterializationOp],
  },
  "get-historical-features": { run: historicalCommand, operations: [getHistoricalFeaturesOp] },
  dataset: {
    run: datasetCommand,
    operations: [uploadEntitiesOp, createDatasetOp, getDatasetOp, listDatasetsOp, downloadDatasetOp],
  },
  cancel: { run: cancelCommand, operations: [cancelRunOp] },
  retry: { run: retryCommand, operations: [retryRunOp] },
  schedule: {
    run: scheduleCommand,
    operations: [
      setScheduleOp,
      pauseScheduleOp,
      resumeScheduleOp,
      getScheduleOp,
      deleteScheduleOp,
      setTransformationScheduleOp,
      pauseTransformationScheduleOp,
      resumeTransformationScheduleOp,
      getTransformationScheduleOp,
      deleteTransformationScheduleOp,
    ],
  },
  transform: {
    run: transformCommand,
    operations: [
      runTransformationOp,
      backfillTransformationOp,
      getTransformationRunOp,
      listTransformationsOp,
      retryTransformationRunOp,
    ],
  },
  "on-demand": {
    run: onDemandCommand,
    operations: [
      createOnDemandViewOp,
      updateOnDemandViewOp,
      getOnDemandViewOp,
      listOnDemandViewsOp,
      deleteOnDemandViewOp,
    ],
  },
  user: { run: userCommand, operations: [createUserOp, setInstanceAdminOp] },
  "api-key": { run: apiKeyCommand, operations: [createApiKeyOp, listApiKeysOp, revokeApiKeyOp] },
  offline: {
    run: offlineCommand,
    operations: [
      getOfflineSpaceOp,
      checkOfflineSpacesOp,
      offlineSetupStatementsOp,
      addOwnSchemaOp,
      grantSharedSchemaOp,
      revokeSharedSchemaOp,
    ],
  },
};

/**
 * Runs one command; resolves to the exit code, or undefined when the command keeps running
 * (start, dev, worker) and exits from its signal handler.
 */
export async function main(argv: string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`quiver: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`quiver ${name}: ${e.message}\n\nRun "quiver help" for usage.`);
      return 2;
    }
    // Domain errors name the field and are meant for users; anything else gets its stack.
    if (e instanceof DomainError || e instanceof BootError) console.error(`quiver ${name}: ${e.message}`);
    else console.error(`quiver ${name}: ${describeUnexpected(e)}`);
    return 1;
  }
}

/** The stack, then each cause's message (a failed query's Postgres error is its cause). */
function describeUnexpected(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  let text = e.stack ?? e.message;
  for (let c: unknown = e.cause; c; c = c instanceof Error ? c.cause : undefined)
    text += `\ncaused by: ${c instanceof Error ? c.message : String(c)}`;
  return text;
}
