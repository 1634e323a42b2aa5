import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './repo.js';

export interface CodeBlock {
  /** README path relative to the repo root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
}

/** Every fenced code block of every README.md tracked by git. */
export function readmeBlocks(): CodeBlock[] {
  const files = execFileSync('git', ['ls-files', '*README.md', 'README.md'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('README.md'))
    .filter((f, i, all) => all.indexOf(f) === i);
  const blocks: CodeBlock[] = [];
  for (const file of files) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    let open: { line: number; lang: string; body: string[] } | undefined;
    lines.forEach((text, index) => {
      const fence = /^```(\S*)\s*$/.exec(text);
      if (!fence) {
        open?.body.push(text);
        return;
      }
      if (open) {
        blocks.push({ file, line: open.line, lang: open.lang, code: open.body.join('\n') });
        open = undefined;
      } else {
        open = { line: index + 1, lang: fence[1] ?? '', body: [] };
      }
    });
  }
  return blocks;
}

/**
 * The commands of a shell block: one entry per command (continuation lines joined), comments and
 * blank lines dropped, a trailing `# comment` removed.
 */
export function shellCommands(code: string): string[] {
  const commands: string[] = [];
  let pending = '';
  for (const raw of code.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    commands.push(stripComment(pending + line).trim());
    pending = '';
  }
  return commands;
}

/** Removes an unquoted ` # comment` from a shell line. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && /\s/.test(line[i - 1] ?? ' ')) return line.slice(0, i);
  }
  return line;
}
