/** A command-line or configuration mistake: `autobot-trace: <message>` on stderr, exit code 2. */
export class CliUsageError extends Error {}
