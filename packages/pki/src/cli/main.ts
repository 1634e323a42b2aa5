import { EnvReader, getTracingService } from '@autobot/tracing';
import { PkiError } from '../errors.js';
import { KEY_ALGORITHMS } from '../keys.js';
import { localPath } from '../topology.js';
import { type CommandContext, MAX_FAILED_EXIT, runDistribute, runInitCa, runIssue } from './commands.js';
import { type CliValues, parseCli, UsageError } from './options.js';

export { MAX_FAILED_EXIT } from './commands.js';

/** Exit code for bad usage or configuration (`distribute` otherwise exits with the failed-VM count). */
export const EXIT_USAGE = 64;
/** Exit code for an unexpected internal error. */
export const EXIT_INTERNAL = 70;

const USAGE = `usage: autobot-pki [global options] <command> [options]

commands:
  init-ca                     create the CA (refuses to overwrite without --force)
      --cn <name>             CA common name (default "AutoBot Internal CA")
      --days <n>              validity in days (default 3650)
      --key-algorithm <alg>   ${KEY_ALGORITHMS.join(' | ')} (default ecdsa-p256)
      --force                 replace an existing CA
  issue <vm>... | --all       issue a server certificate for VMs of the topology (or "backend", or
                              "collector" when the topology places it: its VM's SANs plus "collector")
      --days <n>              validity in days (default 397)
      --key-algorithm <alg>
      --profile server|client server (default): serverAuth+clientAuth, certs/<name>/server.{crt,key};
                              client: clientAuth only, certs/<name>/client.{crt,key} (mTLS to the collector)
      --dns <name> --ip <addr> extra subjectAltNames (repeatable), e.g. the collector's names;
                              with them (or --profile client) <name> need not be in the topology
  distribute                  copy CA cert, VM cert and key to the VMs over SSH; with "collector" in the
                              topology also collector.{crt,key} to its VM and client.{crt,key} to each VM
      --vm <name>             only this VM (repeatable)
      --dry-run               check local files, connect to nothing
      --identity <file>       SSH private key (default: topology ssh.privateKeyPath)
      --agent                 also use the agent at $SSH_AUTH_SOCK
      --known-hosts <file>    known_hosts file (default: topology, then ~/.ssh/known_hosts)
      --trust-on-first-use    record unknown host keys instead of refusing them
      --concurrency <n>       VMs at the same time (default: topology, then 4)
      --connect-timeout <ms>  connect + handshake timeout
      --op-timeout <ms>       timeout of each SFTP operation

global options:
  --pki-dir <dir>             PKI directory (default $AUTOBOT_PKI_DIR, then ./.autobot/pki)
  --topology <file>           topology JSON (default $AUTOBOT_PKI_TOPOLOGY, then ./topology.json)
  -h, --help

The SSH key passphrase, if any, is read from $AUTOBOT_PKI_KEY_PASSPHRASE (never from the command line).
Tracing follows the AUTOBOT_* / OTEL_* variables of @autobot/tracing (AUTOBOT_JAEGER_ENDPOINT, ...).
distribute exits with the number of failed VMs (capped at ${MAX_FAILED_EXIT}); ${EXIT_USAGE} = bad usage or configuration.`;

/** Where the CLI writes. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

const COMMANDS: Readonly<Record<string, (context: CommandContext) => Promise<number>>> = {
  'init-ca': runInitCa,
  issue: runIssue,
  distribute: runDistribute,
};

/**
 * Runs the `autobot-pki` command line. Initialises tracing (service `autobot-pki`), runs the command,
 * flushes spans, and resolves with the process exit code (it never calls `process.exit`).
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    io.err(`autobot-pki: ${(error as Error).message}`);
    io.err(USAGE);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || command === undefined) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : EXIT_USAGE;
  }
  const tracing = getTracingService();
  tracing.initialize({ serviceName: 'autobot-pki', handleSignals: false }, io.env);
  try {
    const handler = COMMANDS[command];
    if (!handler) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    return await handler(commandContext(values, args, io));
  } catch (error) {
    return reportFailure(error, io);
  } finally {
    await tracing.shutdown();
  }
}

function commandContext(values: CliValues, args: readonly string[], io: CliIo): CommandContext {
  const env = new EnvReader(io.env);
  return {
    values,
    args,
    pkiDir: localPath('.', values['pki-dir'] ?? env.text('AUTOBOT_PKI_DIR', '.autobot/pki')),
    topologyPath: localPath('.', values.topology ?? env.text('AUTOBOT_PKI_TOPOLOGY', 'topology.json')),
    // A passphrase is taken byte for byte (never trimmed, never echoed in a warning).
    passphrase: io.env.AUTOBOT_PKI_KEY_PASSPHRASE ?? '',
    agentSocket: env.text('SSH_AUTH_SOCK', ''),
    env: io.env,
    out: io.out,
  };
}

/** Prints a failure and maps it to an exit code: 64 for usage and PKI errors, 70 otherwise. */
function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.err(`autobot-pki: ${error.message}`);
    return EXIT_USAGE;
  }
  if (error instanceof PkiError) {
    io.err(`autobot-pki: ${error.message} [${error.code}]`);
    return EXIT_USAGE;
  }
  io.err(`autobot-pki: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT_INTERNAL;
}
