import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { freePort } from './free-port.js';

/**
 * Arguments for a throwaway `redis-server` on `port`: loopback only, no RDB or AOF persistence,
 * protected mode off (no password on loopback).
 */
export function redisServerArgs(port: number): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'no',
  ];
}

/** A throwaway `redis-server`. */
export interface RunningRedis {
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** SIGTERM and wait for exit (no-op once it exited). */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway `redis-server` on a free loopback port (no persistence) and resolves once it
 * accepts connections (10 s at most). Fails with a clear message when Redis is not installed.
 */
export async function startRedisServer(): Promise<RunningRedis> {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'redis-server is not on PATH: these tests need a real Redis. Install it with `apt-get install redis-server` (CI does this in .ci/run).',
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', redisServerArgs(port), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
