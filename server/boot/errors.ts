import "server-only";
/** A start-up failure with a message that says what to do; the CLI prints it without a stack. */
export class BootError extends Error {
  override name = "BootError";
}
