import { resolve } from 'node:path';
import { LOG_LEVELS, SwitchboardError, type LogLevel } from '../lib/index.ts';

/** Everything Switchboard reads from its environment, validated. */
export interface Config {
  readonly httpPort: number;
  readonly wsPort: number;
  readonly sipPort: number;
  readonly rtpPorts: { readonly min: number; readonly max: number };
  readonly bind: string;
  /** Address advertised in SIP and SDP; the bind address unless that is a wildcard. */
  readonly advertisedAddress: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly natsUrl: string | undefined;
  readonly logLevel: LogLevel;
  /** Lifetime of API tokens (KAZOO `token_auth_expiry_s`, default 3600). */
  readonly tokenExpirySeconds: number;
  /** Longest a call may last before the switch hangs it up; 0 = unlimited. */
  readonly maxCallSeconds: number;
  /** Seconds without RTP/RTCP from an answered phone before its call ends (MEDIA_TIMEOUT); 0 = never. */
  readonly rtpTimeoutSeconds: number;
  /** The same while the phone holds or is held (it may legally send nothing); 0 = never. */
  readonly rtpHoldTimeoutSeconds: number;
  /** New INVITEs per second one source address may send (bursts of twice that); past it they are dropped. */
  readonly inviteRate: number;
  /** New REGISTERs per second one source address may send (bursts of twice that); past it they are dropped. */
  readonly registerRate: number;
  /** New OPTIONS per second one source address may send (and, in a bucket of its own, every other out-of-dialog method). */
  readonly optionsRate: number;
  /** Inbound SIP TCP connections one IP address may hold. */
  readonly sipTcpMaxConnectionsPerIp: number;
  /** Receive and send buffer asked for the SIP UDP socket, in bytes (0 = kernel default). */
  readonly sipUdpBufferBytes: number;
  /** WebSocket connections one IP address may hold (KAZOO `blackhole.max_connections_per_ip`); more get 429. */
  readonly wsMaxConnectionsPerIp: number;
}

/** A setting with a bad value: the message names the setting. */
export class ConfigError extends SwitchboardError {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super('config_invalid', `${setting}: ${message}`);
    this.setting = setting;
  }
}

/** One setting: its environment variable, its CLI flag and its default. */
interface Setting {
  readonly env: string;
  readonly flag: string;
  readonly fallback: string | undefined;
  readonly help: string;
}

/** The settings table, shared by the env reader and the CLI's flag definitions. */
export const SETTINGS = {
  httpPort: { env: 'SWITCHBOARD_HTTP_PORT', flag: 'http-port', fallback: '8000', help: 'REST API port' },
  wsPort: { env: 'SWITCHBOARD_WS_PORT', flag: 'ws-port', fallback: '5555', help: 'WebSocket events port' },
  sipPort: { env: 'SWITCHBOARD_SIP_PORT', flag: 'sip-port', fallback: '5060', help: 'SIP port (UDP and TCP)' },
  rtpPorts: { env: 'SWITCHBOARD_RTP_PORTS', flag: 'rtp-ports', fallback: '16384-32767', help: 'RTP port range' },
  bind: { env: 'SWITCHBOARD_BIND', flag: 'bind', fallback: '0.0.0.0', help: 'address to listen on' },
  advertisedAddress: {
    env: 'SWITCHBOARD_ADVERTISED_ADDRESS',
    flag: 'advertised-address',
    fallback: undefined,
    help: 'address put in SIP and SDP (default: the bind address, or 127.0.0.1 for a wildcard bind)',
  },
  dataDir: { env: 'SWITCHBOARD_DATA_DIR', flag: 'data-dir', fallback: './data', help: 'embedded database directory' },
  databaseUrl: { env: 'DATABASE_URL', flag: 'database-url', fallback: undefined, help: 'PostgreSQL URL (optional)' },
  natsUrl: { env: 'NATS_URL', flag: 'nats-url', fallback: undefined, help: 'NATS URL (optional)' },
  logLevel: { env: 'SWITCHBOARD_LOG_LEVEL', flag: 'log-level', fallback: 'info', help: 'log level' },
  tokenExpirySeconds: {
    env: 'SWITCHBOARD_TOKEN_EXPIRY',
    flag: 'token-expiry-seconds',
    fallback: '3600',
    help: 'API token lifetime in seconds',
  },
  maxCallSeconds: {
    env: 'SWITCHBOARD_MAX_CALL_SECONDS',
    flag: 'max-call-seconds',
    fallback: '14400',
    help: 'longest call in seconds (0 = unlimited)',
  },
  rtpTimeoutSeconds: {
    env: 'SWITCHBOARD_RTP_TIMEOUT_SECONDS',
    flag: 'rtp-timeout-seconds',
    fallback: '60',
    help: 'seconds without RTP/RTCP from an answered phone before the call ends with MEDIA_TIMEOUT (0 = never)',
  },
  rtpHoldTimeoutSeconds: {
    env: 'SWITCHBOARD_RTP_HOLD_TIMEOUT_SECONDS',
    flag: 'rtp-hold-timeout-seconds',
    fallback: '3600',
    help: 'the same for a phone on hold, which may send nothing (0 = never)',
  },
  inviteRate: {
    env: 'SWITCHBOARD_INVITE_RATE',
    flag: 'invite-rate',
    fallback: '100',
    help: 'new INVITEs per second per source address before the flood guard drops them',
  },
  registerRate: {
    env: 'SWITCHBOARD_REGISTER_RATE',
    flag: 'register-rate',
    fallback: '50',
    help: 'new REGISTERs per second per source address before the flood guard drops them',
  },
  optionsRate: {
    env: 'SWITCHBOARD_OPTIONS_RATE',
    flag: 'options-rate',
    fallback: '50',
    help: 'new OPTIONS (and, separately, other out-of-dialog requests) per second per source address before the flood guard drops them',
  },
  sipTcpMaxConnectionsPerIp: {
    env: 'SWITCHBOARD_SIP_TCP_MAX_CONNECTIONS_PER_IP',
    flag: 'sip-tcp-max-connections-per-ip',
    fallback: '100',
    help: 'SIP TCP connections per client IP address (more are closed at once)',
  },
  sipUdpBufferBytes: {
    env: 'SWITCHBOARD_SIP_UDP_BUFFER_BYTES',
    flag: 'sip-udp-buffer-bytes',
    fallback: '4194304',
    help: 'SIP UDP socket receive/send buffer in bytes, capped by net.core.rmem_max (0 = kernel default)',
  },
  wsMaxConnectionsPerIp: {
    env: 'SWITCHBOARD_WS_MAX_CONNECTIONS_PER_IP',
    flag: 'ws-max-connections-per-ip',
    fallback: '100',
    help: 'WebSocket connections per client IP address (more are refused with 429)',
  },
} as const satisfies Record<keyof Config, Setting>;

type Raw = Partial<Record<keyof Config, string | undefined>>;

function port(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `expected a port number 0-65535, got '${value}'`);
  const n = Number(value);
  if (n > 65535) throw new ConfigError(name, `expected a port number 0-65535, got '${value}'`);
  return n;
}

function integer(name: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new ConfigError(name, `expected an integer >= ${min}, got '${value}'`);
  }
  return Number(value);
}

/** A socket buffer size: 0 (the kernel's default) or 64 KiB up to 1 GiB. */
function bufferBytes(name: string, value: string): number {
  const n = integer(name, value, 0);
  if (n !== 0 && (n < 65_536 || n > 1_073_741_824)) throw new ConfigError(name, `expected 0 or 65536-1073741824 bytes, got '${value}'`);
  return n;
}

function range(name: string, value: string): { min: number; max: number } {
  const m = /^(\d+)-(\d+)$/.exec(value);
  if (m === null) throw new ConfigError(name, `expected a range like 16384-32767, got '${value}'`);
  const min = port(name, m[1] ?? '');
  const max = port(name, m[2] ?? '');
  if (min === 0 && max === 0) return { min, max };
  if (min < 1024 || max < min || max - min < 1) {
    throw new ConfigError(name, `expected 1024 <= min < max <= 65535 (or 0-0 for any free port), got '${value}'`);
  }
  return { min, max };
}

function url(name: string, value: string | undefined, schemes: readonly string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `not a URL: '${value}'`);
  }
  if (!schemes.includes(parsed.protocol)) {
    throw new ConfigError(name, `expected a ${schemes.join(' or ')} URL, got '${parsed.protocol}'`);
  }
  return value;
}

/**
 * Builds the config from environment variables, overridden by CLI flags (already parsed into `flags`,
 * keyed like {@link Config}). Throws {@link ConfigError} naming the first bad setting.
 */
export function readConfig(env: Readonly<Record<string, string | undefined>>, flags: Raw = {}): Config {
  const pick = (key: keyof Config): string | undefined => {
    const s: Setting = SETTINGS[key];
    const v = flags[key] ?? env[s.env];
    return v === undefined || v === '' ? s.fallback : v;
  };
  const req = (key: keyof Config): string => pick(key) ?? '';
  const name = (key: keyof Config): string => SETTINGS[key].env;

  const logLevel = req('logLevel');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(name('logLevel'), `expected one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }
  const bind = req('bind');
  if (!/^[0-9a-fA-F:.]+$/.test(bind)) throw new ConfigError(name('bind'), `expected an IP address, got '${bind}'`);
  const wildcard = bind === '0.0.0.0' || bind === '::';
  return {
    httpPort: port(name('httpPort'), req('httpPort')),
    wsPort: port(name('wsPort'), req('wsPort')),
    sipPort: port(name('sipPort'), req('sipPort')),
    rtpPorts: range(name('rtpPorts'), req('rtpPorts')),
    bind,
    advertisedAddress: pick('advertisedAddress') ?? (wildcard ? '127.0.0.1' : bind),
    dataDir: req('dataDir').includes('://') ? req('dataDir') : resolve(req('dataDir')),
    databaseUrl: url(name('databaseUrl'), pick('databaseUrl'), ['postgres:', 'postgresql:']),
    natsUrl: url(name('natsUrl'), pick('natsUrl'), ['nats:', 'tls:', 'ws:', 'wss:']),
    logLevel: logLevel as LogLevel,
    tokenExpirySeconds: integer(name('tokenExpirySeconds'), req('tokenExpirySeconds'), 1),
    maxCallSeconds: integer(name('maxCallSeconds'), req('maxCallSeconds'), 0),
    rtpTimeoutSeconds: integer(name('rtpTimeoutSeconds'), req('rtpTimeoutSeconds'), 0),
    rtpHoldTimeoutSeconds: integer(name('rtpHoldTimeoutSeconds'), req('rtpHoldTimeoutSeconds'), 0),
    inviteRate: integer(name('inviteRate'), req('inviteRate'), 1),
    registerRate: integer(name('registerRate'), req('registerRate'), 1),
    optionsRate: integer(name('optionsRate'), req('optionsRate'), 1),
    sipTcpMaxConnectionsPerIp: integer(name('sipTcpMaxConnectionsPerIp'), req('sipTcpMaxConnectionsPerIp'), 1),
    sipUdpBufferBytes: bufferBytes(name('sipUdpBufferBytes'), req('sipUdpBufferBytes')),
    wsMaxConnectionsPerIp: integer(name('wsMaxConnectionsPerIp'), req('wsMaxConnectionsPerIp'), 1),
  };
}
