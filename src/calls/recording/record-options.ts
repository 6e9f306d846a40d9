/** KAZOO's recording limits (`kz_media_util:max_recording_time_limit`, the `time_limit` schema range). */
export const RECORDING_LIMITS = {
  /** Seconds a recording lasts when no `time_limit` is given. */
  defaultTimeLimit: 3600,
  minTimeLimit: 5,
  maxTimeLimit: 10800,
} as const;

/**
 * How to record a call: KAZOO's `record_call` parameters (reference §3.7), camelCase inside.
 * `format` is always WAV and the sample rate always 8 kHz (G.711 legs are recorded as they are).
 */
export interface RecordOptions {
  /** Longest recording in seconds (`time_limit`): 5 to 10800, default 3600. */
  readonly timeLimit?: number;
  /** Recordings shorter than this many seconds are discarded (`record_min_sec`); default 0. */
  readonly recordMinSec?: number;
  /** The recording's `name` and download file name (`media_name`); default `<32 hex>.wav`. */
  readonly mediaName?: string;
  /** Who started it (`origin`), e.g. `api` or `konami`; default `untracked : <dialed number>`. */
  readonly origin?: string;
  /** Appended to the origin (`<origin> : <label>`), as KAZOO's `label` is. */
  readonly label?: string;
}

/** What is wrong with one option: the field (KAZOO name), the rule and a message. */
export interface RecordOptionProblem {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

/** The first invalid option, or undefined when all are usable. */
export function checkRecordOptions(options: RecordOptions): RecordOptionProblem | undefined {
  const { timeLimit, recordMinSec, mediaName } = options;
  if (timeLimit !== undefined) {
    if (!Number.isInteger(timeLimit)) return { field: 'time_limit', rule: 'type', message: 'Value is not of type integer' };
    if (timeLimit < RECORDING_LIMITS.minTimeLimit) {
      return { field: 'time_limit', rule: 'minimum', message: `Value must be at least ${RECORDING_LIMITS.minTimeLimit}` };
    }
    if (timeLimit > RECORDING_LIMITS.maxTimeLimit) {
      return { field: 'time_limit', rule: 'maximum', message: `Value must be at most ${RECORDING_LIMITS.maxTimeLimit}` };
    }
  }
  if (recordMinSec !== undefined && (!Number.isInteger(recordMinSec) || recordMinSec < 0)) {
    return { field: 'record_min_sec', rule: 'minimum', message: 'Value must be a non-negative integer' };
  }
  if (mediaName !== undefined && (mediaName === '' || /[/\\\u0000-\u001f]/.test(mediaName))) {
    return { field: 'media_name', rule: 'pattern', message: 'Value must be a file name without slashes or control characters' };
  }
  return undefined;
}

/** Reads KAZOO's snake_case `record_call` data (metaflow or callflow) into {@link RecordOptions}. */
export function recordOptionsFromKazoo(data: Readonly<Record<string, unknown>>): RecordOptions {
  const num = (key: string): number | undefined => {
    const v = data[key];
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    return undefined;
  };
  const text = (key: string): string | undefined => {
    const v = data[key];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const timeLimit = num('time_limit');
  const recordMinSec = num('record_min_sec');
  const mediaName = text('media_name');
  const origin = text('origin');
  const label = text('label');
  return {
    ...(timeLimit !== undefined ? { timeLimit } : {}),
    ...(recordMinSec !== undefined ? { recordMinSec } : {}),
    ...(mediaName !== undefined ? { mediaName } : {}),
    ...(origin !== undefined ? { origin } : {}),
    ...(label !== undefined ? { label } : {}),
  };
}
