/**
 * AWS-shaped errors of the simulator. Every failure a handler means to report is an AwsError: the protocol layer
 * (awsJson1_1 or awsQuery) renders it the way the real service does, so SDKs and the AWS CLI parse it natively.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "AwsError";
  }
}

/** One failed constraint, phrased as AWS's request validator (Coral) phrases it. */
export type Violation = { value: unknown; at: string; constraint: string };

/** Java-style rendering of a value, as AWS prints it in validation messages (`[a, b]` for lists). */
function render(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value))
    return `[${value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ")}]`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * `1 validation error detected: Value '...' at 'instanceIds' failed to satisfy constraint: Member must have length
 * less than or equal to 50` (several violations are joined with "; " under "N validation errors detected").
 */
export function validationMessage(violations: Violation[]): string {
  const n = violations.length;
  const parts = violations.map((v) => {
    const value = v.value === null || v.value === undefined ? "Value null" : `Value '${render(v.value)}'`;
    return `${value} at '${v.at}' failed to satisfy constraint: ${v.constraint}`;
  });
  return `${n} validation error${n === 1 ? "" : "s"} detected: ${parts.join("; ")}`;
}

/** Collects violations while a handler checks its input, then throws them as one error (code per protocol). */
export class Checker {
  readonly violations: Violation[] = [];

  constructor(private readonly code: "ValidationException" | "ValidationError" | "InvalidParameterException") {}

  add(value: unknown, at: string, constraint: string): void {
    this.violations.push({ value, at, constraint });
  }

  required(value: unknown, at: string): void {
    if (value === undefined || value === null) this.add(null, at, "Member must not be null");
  }

  maxLength(value: { length: number } | undefined, max: number, at: string): void {
    if (value !== undefined && value !== null && value.length > max)
      this.add(value, at, `Member must have length less than or equal to ${max}`);
  }

  minLength(value: { length: number } | undefined, min: number, at: string): void {
    if (value !== undefined && value !== null && value.length < min)
      this.add(value, at, `Member must have length greater than or equal to ${min}`);
  }

  range(value: number | undefined, min: number | undefined, max: number | undefined, at: string): void {
    if (value === undefined || value === null) return;
    if (min !== undefined && value < min) this.add(value, at, `Member must have value greater than or equal to ${min}`);
    if (max !== undefined && value > max) this.add(value, at, `Member must have value less than or equal to ${max}`);
  }

  pattern(value: string | undefined, re: RegExp, source: string, at: string): void {
    if (value !== undefined && value !== null && !re.test(value))
      this.add(value, at, `Member must satisfy regular expression pattern: ${source}`);
  }

  oneOf(value: string | undefined, allowed: readonly string[], at: string): void {
    if (value !== undefined && value !== null && !allowed.includes(value))
      this.add(value, at, `Member must satisfy enum value set: [${allowed.join(", ")}]`);
  }

  throwIfAny(): void {
    if (this.violations.length > 0) throw new AwsError(this.code, validationMessage(this.violations));
  }
}
