#!/usr/bin/env node
// Committed launcher for the `autobot-trace` command. npm links bins at install time, before anything is
// built, so the bin must be a file that exists in a fresh clone; it loads the compiled CLI and,
// when that is missing, says which command builds it instead of failing with a module error.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write(
    `autobot-trace: not built yet (${fileURLToPath(built)} is missing).\n` +
      'Run `npm run build` at the repository root (or `npm start`, which builds), then try again.\n',
  );
  process.exit(1);
}
await import(built.href);
