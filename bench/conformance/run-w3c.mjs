// Run the official W3C Trace Context test suite against bench/conformance/w3c-target.mjs.
//
//   node bench/conformance/run-w3c.mjs <path-to-suite>   # the checkout's root or its test/ folder
//
// The suite itself is not part of this repo: get it from github.com/w3c/trace-context (its
// test/ folder is a Python harness that needs aiohttp, e.g. Debian's python3-aiohttp).
// Runs with SPEC_LEVEL=2 STRICT_LEVEL=2 (Trace Context Level 2, strict) unless set otherwise,
// on free ports, and writes bench/results/w3c.json: counts and the names of failing tests,
// parsed from unittest's own verbose output. Exit code 0 only when every test passed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '@autobot/test-kit';

const here = dirname(fileURLToPath(import.meta.url));
const arg = process.argv[2];
if (!arg) {
  process.stderr.write(
    'usage: node bench/conformance/run-w3c.mjs <path to w3c/trace-context or its test/ folder>\n',
  );
  process.exit(2);
}
const suiteDir = existsSync(join(arg, 'test', 'test.py')) ? resolve(arg, 'test') : resolve(arg);
if (!existsSync(join(suiteDir, 'test.py'))) {
  process.stderr.write(`no test.py under ${suiteDir}\n`);
  process.exit(2);
}

// The harness needs aiohttp: take $PYTHON, else the first python3 that can import it (a pyenv
// shim on PATH may hide the system interpreter that has Debian's python3-aiohttp).
const python3 = [process.env.PYTHON, 'python3', '/usr/bin/python3'].find(
  (candidate) => candidate && spawnSync(candidate, ['-c', 'import aiohttp']).status === 0,
);
if (!python3) {
  process.stderr.write('no python3 with aiohttp found (apt-get install python3-aiohttp, or set PYTHON)\n');
  process.exit(2);
}

const target = spawn(process.execPath, [join(here, 'w3c-target.mjs')], {
  env: { ...process.env, PORT: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise((ok, fail) => {
  target.once('exit', (code) => fail(new Error(`w3c-target exited early (code ${code})`)));
  createInterface({ input: target.stdout }).on('line', (line) => {
    try {
      const event = JSON.parse(line);
      if (event.event === 'listening') ok(event.port);
    } catch {
      // not ours
    }
  });
});

const specLevel = process.env.SPEC_LEVEL ?? '2';
const strictLevel = process.env.STRICT_LEVEL ?? '2';
const harnessPort = String(await freePort());
const python = spawn(python3, ['test.py', `http://127.0.0.1:${port}/test`], {
  cwd: suiteDir,
  env: { ...process.env, SPEC_LEVEL: specLevel, STRICT_LEVEL: strictLevel, HARNESS_PORT: harnessPort },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
python.stdout.on('data', (chunk) => (output += chunk));
python.stderr.on('data', (chunk) => (output += chunk));
const exitCode = await new Promise((ok) => python.once('exit', ok));
target.kill('SIGTERM');

// unittest -v lines: "test_name (__main__.Class[.test_name]) ... ok|FAIL|ERROR|skipped '…'"
const results = [];
for (const match of output.matchAll(
  /^(test_\w+) \(__main__\.(\w+)[^)]*\)(?:\n.*?)?\s\.\.\. (ok|FAIL|ERROR|skipped)/gm,
)) {
  results.push({ name: `${match[2]}.${match[1]}`, outcome: match[3] });
}
const ran = output.match(/^Ran (\d+) tests?/m);
const passed = results.filter((r) => r.outcome === 'ok').length;
const failedTests = results.filter((r) => r.outcome === 'FAIL' || r.outcome === 'ERROR').map((r) => r.name);
const skipped = results.filter((r) => r.outcome === 'skipped').map((r) => r.name);
const summary = {
  suite: 'w3c/trace-context test/test.py',
  suiteTestPySha256: createHash('sha256')
    .update(readFileSync(join(suiteDir, 'test.py')))
    .digest('hex'),
  specLevel: Number(specLevel),
  strictLevel: Number(strictLevel),
  ran: ran ? Number(ran[1]) : null,
  passed,
  failed: failedTests.length,
  skipped: skipped.length,
  failedTests,
  skippedTests: skipped,
  harnessExitCode: exitCode,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  date: new Date().toISOString(),
};
if (summary.ran !== null && summary.ran !== results.length) {
  summary.parseWarning = `unittest ran ${summary.ran} tests but ${results.length} result lines were parsed`;
}
const out = join(here, '..', 'results', 'w3c.json');
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
if (process.env.W3C_VERBOSE || results.length === 0) process.stdout.write(output);
process.stdout.write(
  `W3C Trace Context (SPEC_LEVEL=${specLevel} STRICT_LEVEL=${strictLevel}): ${passed}/${summary.ran ?? results.length} passed` +
    (failedTests.length ? `; failing: ${failedTests.join(', ')}` : '') +
    `\nwrote ${out}\n`,
);
process.exit(failedTests.length === 0 && exitCode === 0 ? 0 : 1);
