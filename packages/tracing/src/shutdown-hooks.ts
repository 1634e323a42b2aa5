import { info } from './logger.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flush on SIGTERM, SIGINT and `beforeExit`, then let the process end as it would have.
 *
 * Listening to a signal switches off Node's default "terminate" action, so when no one else
 * listens we restore it: after the flush our listener removes itself and re-sends the signal.
 * When the application has its own listener, it decides what happens next; we only flush.
 * Returns a function that removes the hooks.
 */
export function installShutdownHooks(flush: () => Promise<void>): () => void {
  let flushing: Promise<void> | undefined;
  const flushOnce = () => {
    flushing ??= flush().catch(() => undefined);
    return flushing;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    const othersListen = process.listenerCount(signal) > 1;
    void flushOnce().then(() => {
      if (othersListen) return;
      remove();
      info(`flushed traces on ${signal}; exiting`);
      process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = () => {
    void flushOnce();
  };

  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.once('beforeExit', onBeforeExit);

  function remove() {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off('beforeExit', onBeforeExit);
  }
  return remove;
}
