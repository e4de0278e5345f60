// `node --import ./bin/hooks/register-server-only.mjs script.ts`: lets a plain Node process (a
// bench, a test's child process) load server modules, which `import "server-only"`. Same hook as
// the CLI registers in bin/quiver.ts.
import { register } from "node:module";

register("./server-only.mjs", import.meta.url);
