#!/usr/bin/env node
// `npx quiver` entry: runs the TypeScript CLI through tsx's loader, so no compile step is needed.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
await import("./quiver.ts");
