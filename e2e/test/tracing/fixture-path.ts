import { fileURLToPath } from 'node:url';

/** Absolute path of a script in `fixtures/` beside this file (the apps the tests run as processes). */
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
