import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConfig, ConfigError } from './index.ts';

test('defaults match the architecture table', () => {
  const c = readConfig({});
  assert.equal(c.httpPort, 8000);
  assert.equal(c.wsPort, 5555);
  assert.equal(c.sipPort, 5060);
  assert.deepEqual(c.rtpPorts, { min: 16384, max: 32767 });
  assert.equal(c.bind, '0.0.0.0');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.logLevel, 'info');
});

test('port 0 is accepted for every port', () => {
  const c = readConfig({ SWITCHBOARD_HTTP_PORT: '0', SWITCHBOARD_WS_PORT: '0', SWITCHBOARD_SIP_PORT: '0', SWITCHBOARD_RTP_PORTS: '0-0' });
  assert.equal(c.httpPort, 0);
  assert.deepEqual(c.rtpPorts, { min: 0, max: 0 });
});

test('flags override the environment', () => {
  assert.equal(readConfig({ SWITCHBOARD_HTTP_PORT: '9000' }, { httpPort: '9100' }).httpPort, 9100);
});

test('a bad value names the setting', () => {
  for (const [env, setting] of [
    [{ SWITCHBOARD_HTTP_PORT: 'eighty' }, 'SWITCHBOARD_HTTP_PORT'],
    [{ SWITCHBOARD_SIP_PORT: '70000' }, 'SWITCHBOARD_SIP_PORT'],
    [{ SWITCHBOARD_RTP_PORTS: '3000-2000' }, 'SWITCHBOARD_RTP_PORTS'],
    [{ SWITCHBOARD_LOG_LEVEL: 'loud' }, 'SWITCHBOARD_LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SWITCHBOARD_BIND: 'not an ip' }, 'SWITCHBOARD_BIND'],
  ] as const) {
    assert.throws(() => readConfig(env), (e: unknown) => e instanceof ConfigError && e.message.startsWith(setting));
  }
});

test('every CLI flag names its config key in camelCase', async () => {
  const { SETTINGS } = await import('./index.ts');
  for (const [key, s] of Object.entries(SETTINGS)) {
    assert.equal(s.flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()), key);
  }
});

test('SIP flood settings: rates per source, the TCP connection cap and the UDP buffer, with their bounds', () => {
  const c = readConfig({});
  assert.deepEqual([c.inviteRate, c.registerRate, c.optionsRate, c.sipTcpMaxConnectionsPerIp, c.sipUdpBufferBytes], [100, 50, 50, 100, 4_194_304]);
  const set = readConfig({ SWITCHBOARD_REGISTER_RATE: '5', SWITCHBOARD_OPTIONS_RATE: '7', SWITCHBOARD_SIP_TCP_MAX_CONNECTIONS_PER_IP: '3', SWITCHBOARD_SIP_UDP_BUFFER_BYTES: '0' });
  assert.deepEqual([set.registerRate, set.optionsRate, set.sipTcpMaxConnectionsPerIp, set.sipUdpBufferBytes], [5, 7, 3, 0]);
  for (const [env, setting] of [
    [{ SWITCHBOARD_REGISTER_RATE: '0' }, 'SWITCHBOARD_REGISTER_RATE'],
    [{ SWITCHBOARD_OPTIONS_RATE: 'fast' }, 'SWITCHBOARD_OPTIONS_RATE'],
    [{ SWITCHBOARD_SIP_TCP_MAX_CONNECTIONS_PER_IP: '0' }, 'SWITCHBOARD_SIP_TCP_MAX_CONNECTIONS_PER_IP'],
    [{ SWITCHBOARD_SIP_UDP_BUFFER_BYTES: '1000' }, 'SWITCHBOARD_SIP_UDP_BUFFER_BYTES'],
    [{ SWITCHBOARD_SIP_UDP_BUFFER_BYTES: '4MiB' }, 'SWITCHBOARD_SIP_UDP_BUFFER_BYTES'],
  ] as const) {
    assert.throws(() => readConfig(env), (e: unknown) => e instanceof ConfigError && e.message.startsWith(setting));
  }
});
