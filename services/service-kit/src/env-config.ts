/** Environment as a plain object, so tests pass their own. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads typed settings from the environment. An invalid value never throws: it adds one warning
 * naming the variable, the value, what was expected and the fallback used (operator input).
 */
export class EnvReader {
  /** One line per invalid value read so far. */
  readonly warnings: string[] = [];

  constructor(private readonly env: Env = process.env) {}

  /** Trimmed text, or `fallback` when unset or empty. */
  text(variable: string, fallback: string): string {
    const raw = this.env[variable]?.trim();
    return raw === undefined || raw === '' ? fallback : raw;
  }

  /** TCP port 0–65535 (0 = any free port). */
  port(variable: string, fallback: number): number {
    return this.integer(variable, fallback, 0, 65_535);
  }

  /** Whole number in `[min, max]`. */
  integer(variable: string, fallback: number, min: number, max: number): number {
    const raw = this.env[variable]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (/^-?\d+$/.test(raw) && Number.isSafeInteger(value) && value >= min && value <= max) return value;
    return this.invalid(variable, raw, `a whole number from ${min} to ${max}`, fallback);
  }

  /** An http(s) URL without a trailing slash. */
  url(variable: string, fallback: string): string {
    const raw = this.env[variable]?.trim();
    if (raw === undefined || raw === '') return fallback;
    try {
      const url = new URL(raw);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') {
        return url.href.replace(/\/+$/, '');
      }
    } catch {
      // reported below
    }
    return this.invalid(variable, raw, 'an http:// or https:// URL', fallback);
  }

  /** Comma-separated list (empty items dropped). */
  list(variable: string, fallback: readonly string[]): string[] {
    const raw = this.env[variable];
    if (raw === undefined || raw.trim() === '') return [...fallback];
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** One of `choices` (case-insensitive). */
  choice<T extends string>(variable: string, choices: readonly T[], fallback: T): T {
    const raw = this.env[variable]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const found = choices.find((c) => c === raw.toLowerCase());
    return found ?? this.invalid(variable, raw, `one of ${choices.join(', ')}`, fallback);
  }

  private invalid<T>(variable: string, raw: string, expected: string, fallback: T): T {
    this.warnings.push(
      `${variable}=${JSON.stringify(raw)} is invalid: expected ${expected}; using ${JSON.stringify(fallback)}`,
    );
    return fallback;
  }
}
