#!/usr/bin/env -S npx tsx
// The `quiver` CLI. Run it as `npx quiver <command>` (through bin/quiver.js) or `npx tsx bin/quiver.ts`.
import { register } from "node:module";
import { fileURLToPath } from "node:url";

register("./hooks/server-only.mjs", import.meta.url);
// Relative paths (QUIVER_HOME=.quiver, the Next app dir) mean the repository root, wherever the
// command was typed.
process.chdir(fileURLToPath(new URL("..", import.meta.url)));

const { main } = await import("./cli/main");
const code = await main(process.argv.slice(2));
// Long-running commands (start, dev, worker) return undefined and exit from their signal handler.
if (code !== undefined) process.exit(code);
