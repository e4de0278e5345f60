import { configureLogging } from "../server/core/log";

export type LogLine = Record<string, unknown> & { level: string; msg: string };

/**
 * Points the root logger at an array (level info) until restore() puts back the default (silent
 * under vitest). Lines are parsed JSON, exactly as they would reach standard output.
 */
export function captureLog(): { lines: LogLine[]; restore(): void } {
  const lines: LogLine[] = [];
  configureLogging({ level: "info", destination: { write: (line) => lines.push(JSON.parse(line)) } });
  return { lines, restore: () => configureLogging() };
}
