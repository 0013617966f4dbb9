/**
 * The one error type of Fleet Doctor. Every failure the engine expects is a FleetDoctorError with a fixed code;
 * faces (HTTP routes, CLI) map the code to a status or exit code with the tables below and never show a stack.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  LENGTH_REQUIRED: 411,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNPROCESSABLE: 422,
  AWS_ERROR: 502,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

// Each Next.js route is a bundle with its own copy of this class, while the store is one object per process
// (lib/store/index.ts) made by whichever route loaded first: an error the store throws must still be recognised by
// every other route's copy (or a 409 becomes a 500). A registered symbol marks the instances of every copy.
const BRAND = Symbol.for("fleet-doctor.FleetDoctorError");

export class FleetDoctorError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode;
  /** Safe, structured context for the client (e.g. which field was wrong, the id of a conflicting scan). */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FleetDoctorError";
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export function isFleetDoctorError(e: unknown): e is FleetDoctorError {
  return e instanceof FleetDoctorError;
}

/** CLI exit codes: 2 for anything the user can fix (bad input, config), 3 for trouble reaching AWS, 4 otherwise. */
export function exitCodeFor(e: unknown): number {
  if (!isFleetDoctorError(e)) return 4;
  if (e.code === "AWS_ERROR" || e.code === "UNAVAILABLE") return 3;
  return e.code === "INTERNAL" ? 4 : 2;
}
