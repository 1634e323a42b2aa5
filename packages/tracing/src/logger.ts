/**
 * Where the tracing library reports its own problems (bad configuration, export failures).
 * One line per message on stderr by default, prefixed so an operator can grep it; replaceable so
 * a service can route these lines into its own logger, and tests can capture them.
 */
export interface TracingLogger {
  warn(message: string): void;
  info(message: string): void;
}

const stderrLogger: TracingLogger = {
  warn: (message) => process.stderr.write(`[autobot-tracing] warning: ${message}\n`),
  info: (message) => process.stderr.write(`[autobot-tracing] ${message}\n`),
};

let current: TracingLogger = stderrLogger;

/** Replace the sink for the library's own messages; pass `undefined` to restore stderr. */
export function setTracingLogger(logger: TracingLogger | undefined): void {
  current = logger ?? stderrLogger;
}

/** Log a warning; never throws, even if the configured logger does. */
export function warn(message: string): void {
  try {
    current.warn(message);
  } catch {
    // A broken logger must not break the traced program.
  }
}

/** Log an informational line; never throws. */
export function info(message: string): void {
  try {
    current.info(message);
  } catch {
    // A broken logger must not break the traced program.
  }
}

// Messages already given by warnOnce; bounded so a stream of distinct bad values cannot grow it.
const warnedOnce = new Set<string>();
const WARN_ONCE_LIMIT = 1000;

/**
 * Log a warning once per process (configuration read again on every client construction must
 * not repeat itself); `sink` replaces the library's logger for this message. Never throws.
 */
export function warnOnce(message: string, sink?: Pick<TracingLogger, 'warn'>): void {
  if (warnedOnce.has(message)) return;
  if (warnedOnce.size >= WARN_ONCE_LIMIT) warnedOnce.clear();
  warnedOnce.add(message);
  try {
    (sink ?? current).warn(message);
  } catch {
    // A broken logger must not break the traced program.
  }
}
