import "server-only";
/**
 * Domain errors thrown by services. Every door (tRPC, REST, CLI) maps them to its own codes in one
 * place; anything else is an internal error whose text is never shown to users.
 */
export type DomainErrorCode =
  | "NOT_FOUND"
  | "CONFLICT"
  | "INVALID"
  | "FORBIDDEN"
  | "UNAUTHORIZED"
  | "UNAVAILABLE";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Which input field is wrong, as a path (e.g. "fields.2.name"), when one is. */
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string, field?: string) {
    super("NOT_FOUND", message, field);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, field?: string) {
    super("CONFLICT", message, field);
  }
}

export class InvalidError extends DomainError {
  constructor(message: string, field?: string) {
    super("INVALID", message, field);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

/**
 * A store the request needs (Redis, say) cannot be reached, or the answer missed its deadline; the
 * request may be retried, after `retryAfterSeconds` when given (REST sends it as Retry-After).
 */
export class UnavailableError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super("UNAVAILABLE", message);
  }
}

export const httpStatusOf: Record<DomainErrorCode, number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID: 400,
  FORBIDDEN: 403,
  UNAUTHORIZED: 401,
  UNAVAILABLE: 503,
};

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
