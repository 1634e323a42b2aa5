import { type Env, integerInRange, type Parser, parseHttpUrl, resolveLayers } from '@autobot/tracing';

export type { Env };

/**
 * Reads typed settings from the environment with the tracing library's layered reader, so every
 * AutoBot process words configuration warnings the same way. An invalid value never throws: it
 * adds one warning naming the variable, the value, what was expected and the fallback used.
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
    return this.read(variable, integerInRange(min, max), fallback);
  }

  /** An http(s) URL without a trailing slash. */
  url(variable: string, fallback: string): string {
    const parse: Parser<string> = (raw) => {
      const parsed = parseHttpUrl(raw);
      return parsed.ok ? { ok: true, value: parsed.value.href.replace(/\/+$/, '') } : parsed;
    };
    return this.read(variable, parse, fallback);
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
    const parse: Parser<T> = (raw) => {
      const found = choices.find((c) => c === raw.trim().toLowerCase());
      return found ? { ok: true, value: found } : { ok: false, expected: `one of ${choices.join(', ')}` };
    };
    return this.read(variable, parse, fallback);
  }

  private read<T>(variable: string, parse: Parser<T>, fallback: T): T {
    return resolveLayers(this.env, [{ variable, parse }], fallback, this.warnings);
  }
}
