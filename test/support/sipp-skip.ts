// The one guard of every SIPp suite: skip where SIPp cannot run, but fail where it must (CI), so a
// machine without SIPp can never pass the end-to-end tests without placing a single call.
import { sippCanPlayPcap, sippSkipReason } from './sipp.ts';

/** What the guard needs to know about this machine (the real probes by default; fakes in tests). */
export interface SippProbe {
  /** Why SIPp cannot run at all (binary or pcaps missing), or undefined. */
  readonly unavailable: () => string | undefined;
  /** Whether SIPp may open the raw socket play_pcap_audio needs (root or CAP_NET_RAW). */
  readonly canPlayPcap: () => boolean;
}

export interface SippSkipOptions {
  /** The suite replays pcaps (RTP, RFC 4733 digits): also require the raw-socket capability. Default true. */
  readonly media?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly probe?: SippProbe;
}

/** Thrown by `sippSkip` where SIPp is required but cannot run. */
export class SippRequiredError extends Error {
  readonly code = 'sipp_required';
}

const realProbe: SippProbe = { unavailable: sippSkipReason, canPlayPcap: sippCanPlayPcap };

export const INSTALL_HINT =
  'apt-get install -y sip-tester (and, unless the tests run as root, setcap cap_net_raw+ep "$(command -v sipp)" so it can replay pcaps)';

/**
 * Why SIPp must be present here, or undefined when a missing SIPp may skip: `CI` set to anything but
 * '', '0' or 'false' (CI services set CI=true), or SWITCHBOARD_REQUIRE_SIPP=1.
 */
export function sippRequiredBy(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const flag = env['SWITCHBOARD_REQUIRE_SIPP'];
  if (flag !== undefined && flag !== '' && flag !== '0' && flag !== '1') {
    throw new SippRequiredError(`SWITCHBOARD_REQUIRE_SIPP must be 1 or 0, got '${flag}'`);
  }
  if (flag === '1') return 'SWITCHBOARD_REQUIRE_SIPP=1';
  const ci = env['CI'];
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') return `CI=${ci}`;
  return undefined;
}

/**
 * The `skip` option of a SIPp suite: undefined when SIPp can run, else the reason to skip; throws a
 * SippRequiredError instead where SIPp is required (see sippRequiredBy), so the suite fails.
 */
export function sippSkip(options: SippSkipOptions = {}): string | undefined {
  const probe = options.probe ?? realProbe;
  const required = sippRequiredBy(options.env ?? process.env);
  let reason = probe.unavailable();
  if (reason === undefined && (options.media ?? true) && !probe.canPlayPcap()) {
    reason = 'SIPp cannot play pcaps here (needs root or CAP_NET_RAW)';
  }
  if (reason === undefined) return undefined;
  if (required !== undefined) {
    throw new SippRequiredError(`SIPp end-to-end tests must run (${required}) but cannot: ${reason}. Install it: ${INSTALL_HINT}`);
  }
  return reason;
}
