import { describe, expect, it } from 'vitest';
import { DEFAULT_TRACE_URL, resolveClientEnv, resolveServeEnv } from '../src/cli/cli-env.js';

describe('autobot-trace environment (cli-env)', () => {
  it('serve: valid variables are used, flags win and their variables are not read', () => {
    const env = {
      AUTOBOT_COLLECTOR_QUERY_TIMEOUT_MS: '900',
      AUTOBOT_COLLECTOR_WRITE_TOKEN_FILE: ' /etc/autobot/collector/write.token ',
      AUTOBOT_COLLECTOR_READ_TOKEN_FILE: '/etc/autobot/collector/read.token',
      AUTOBOT_COLLECTOR_QUERY_WORKERS: '3',
      AUTOBOT_COLLECTOR_SPAN_METRICS: 'off',
    };
    expect(resolveServeEnv(env, {})).toEqual({
      queryTimeoutMs: 900,
      queryWorkers: 3,
      spanMetrics: false,
      writeTokenFile: '/etc/autobot/collector/write.token',
      readTokenFile: '/etc/autobot/collector/read.token',
      warnings: [],
    });
    const flagged = resolveServeEnv(
      { ...env, AUTOBOT_COLLECTOR_QUERY_TIMEOUT_MS: 'soon', AUTOBOT_COLLECTOR_QUERY_WORKERS: 'many' },
      { queryTimeoutMs: 250, queryWorkers: 0, writeTokenFile: 'w', readTokenFile: 'r' },
    );
    expect(flagged).toEqual({ queryTimeoutMs: 250, queryWorkers: 0, spanMetrics: false, warnings: [] });
    expect(resolveServeEnv(env, { noSpanMetrics: true }).spanMetrics).toBe(false);
    expect(resolveServeEnv({}, {})).toMatchObject({ queryWorkers: 2, spanMetrics: true });
  });

  it('serve: an invalid query timeout warns once naming variable, value, expectation and fallback', () => {
    const settings = resolveServeEnv({ AUTOBOT_COLLECTOR_QUERY_TIMEOUT_MS: '-5' }, {});
    expect(settings.queryTimeoutMs).toBe(10_000);
    expect(settings.warnings).toEqual([
      'AUTOBOT_COLLECTOR_QUERY_TIMEOUT_MS="-5" is invalid (expected a whole number from 1 to 3600000); using 10000 ms',
    ]);
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('clients: AUTOBOT_TRACE_URL is used without its trailing slash; --url wins', () => {
    expect(resolveClientEnv({ AUTOBOT_TRACE_URL: 'https://collector:16686/' }, {})).toEqual({
      url: 'https://collector:16686',
      warnings: [],
    });
    expect(resolveClientEnv({ AUTOBOT_TRACE_URL: 'nonsense' }, { url: 'http://h:1/' }).url).toBe(
      'http://h:1',
    );
    expect(resolveClientEnv({}, {}).url).toBe(DEFAULT_TRACE_URL);
  });

  it('clients: an invalid AUTOBOT_TRACE_URL warns naming variable, value and fallback, then uses the default', () => {
    for (const bad of ['ftp://collector:21', 'collector:16686', 'not a url']) {
      const settings = resolveClientEnv({ AUTOBOT_TRACE_URL: bad }, {});
      expect(settings.url).toBe(DEFAULT_TRACE_URL);
      expect(settings.warnings).toHaveLength(1);
      expect(settings.warnings[0]).toContain(`AUTOBOT_TRACE_URL=${JSON.stringify(bad)} is invalid`);
      expect(settings.warnings[0]).toContain(`using ${DEFAULT_TRACE_URL}`);
    }
  });

  it('clients: the read token file comes from AUTOBOT_TRACE_READ_TOKEN_FILE unless --token-file is given', () => {
    expect(resolveClientEnv({ AUTOBOT_TRACE_READ_TOKEN_FILE: 'read.token' }, {}).tokenFile).toBe(
      'read.token',
    );
    expect(
      resolveClientEnv({ AUTOBOT_TRACE_READ_TOKEN_FILE: 'read.token' }, { tokenFile: 'other' }).tokenFile,
    ).toBeUndefined();
    expect(resolveClientEnv({ AUTOBOT_TRACE_READ_TOKEN_FILE: '  ' }, {}).tokenFile).toBeUndefined();
  });
});
