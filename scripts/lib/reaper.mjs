#!/usr/bin/env node
// Watchdog of `npm start`: the launcher spawns its children in their own process groups (so a
// terminal's Ctrl-C reaches only the launcher, which stops them in order), which also means they
// would outlive a launcher killed with SIGKILL. This process is started detached with a pipe from
// the launcher on stdin; the launcher writes one JSON line per child ({ name, pid, stage }) and
// `{"done":true}` once it has stopped them itself. If the pipe closes without "done" the launcher
// died, and the reaper stops the children the same way the launcher would: stage by stage
// (services, then the dev model, Redis, and the collector last so it receives the final spans),
// SIGTERM, then SIGKILL after STOP_TIMEOUT_MS.
import { createInterface } from 'node:readline';

const STOP_TIMEOUT_MS = 10_000;
const children = new Map(); // pid -> { name, pid, stage }
let done = false;

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  try {
    const message = JSON.parse(line);
    if (message.done) done = true;
    else if (Number.isInteger(message.pid)) children.set(message.pid, message);
  } catch {
    // not ours
  }
});
lines.on('close', () => {
  if (done) process.exit(0);
  void reap().then(() => process.exit(0));
});
// The terminal's signals are the launcher's business, and the reaper must outlive it.
for (const signal of ['SIGINT', 'SIGHUP']) process.on(signal, () => {});

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stop(pid) {
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) {
    try {
      // Its own process group (spawned detached): take anything it started with it.
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

async function reap() {
  const stages = [...new Set([...children.values()].map((c) => c.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    await Promise.all([...children.values()].filter((c) => c.stage === stage).map((c) => stop(c.pid)));
  }
}
