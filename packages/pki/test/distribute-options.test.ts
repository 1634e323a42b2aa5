import { describe, expect, it } from 'vitest';
import { distributeCertificates, parseTopology } from '../src/index.js';

const topology = parseTopology({
  defaults: { user: 'autobot' },
  vms: { frontend: { address: '127.0.0.1', port: 1 } },
  ssh: { useAgent: true },
});

describe('distributeCertificates options', () => {
  it('with ssh.useAgent, the agent socket comes from the env option, not the process', async () => {
    // No key and no SSH_AUTH_SOCK in the given env: nothing to authenticate with, whatever the
    // process environment holds.
    await expect(distributeCertificates({ topology, pkiDir: '/nonexistent', env: {} })).rejects.toMatchObject(
      {
        code: 'AUTOBOT_ERR_PKI_INVALID_OPTION',
      },
    );
    // With a socket the options are valid; the VM then fails alone (no CA under the PKI dir).
    const run = await distributeCertificates({
      topology,
      pkiDir: '/nonexistent',
      env: { SSH_AUTH_SOCK: '/nonexistent/agent.sock' },
    });
    expect(run.results.map((r) => r.errorType)).toEqual(['cert_missing']);
  });
});
