import { randomInt } from 'node:crypto';
import type { SessionDescription } from 'sdp-transform';
import { writeSdp } from './sdp-model.ts';
import { ipVersionOf } from './address.ts';

/** Options of an {@link SdpOrigin}. */
export interface SdpOriginOptions {
  /** Address put in the `o=` line. */
  address: string;
  username?: string;
  /** Numeric session id; random when omitted (RFC 4566 §5.2 only asks for uniqueness). */
  sessionId?: string;
  /** First version number; defaults to the session id's low digits, as is customary. */
  version?: number;
}

/**
 * The `o=` line of one local SDP session (one per call leg). RFC 3264 §8: "the version in the o=
 * line MUST be incremented by one from the previous SDP" when the session changed, and a repeated
 * offer of an unchanged session keeps the version.
 */
export class SdpOrigin {
  readonly username: string;
  readonly sessionId: string;
  readonly address: string;
  #version: number;
  #lastBody: string | undefined;

  constructor(options: SdpOriginOptions) {
    this.address = options.address;
    this.username = options.username ?? '-';
    this.sessionId = options.sessionId ?? String(randomInt(1, 2 ** 47));
    this.#version = options.version ?? randomInt(0, 2 ** 31);
  }

  /** The version written in the last SDP. */
  get version(): number {
    return this.#version;
  }

  /** Stamps `desc` with this origin (bumping the version if the body changed) and serializes it. */
  write(desc: SessionDescription): string {
    desc.origin = {
      username: this.username,
      sessionId: this.sessionId,
      sessionVersion: 0,
      netType: 'IN',
      ipVer: ipVersionOf(this.address),
      address: this.address,
    };
    const body = writeSdp(desc);
    if (this.#lastBody !== undefined && body !== this.#lastBody) this.#version += 1;
    this.#lastBody = body;
    desc.origin.sessionVersion = this.#version;
    return writeSdp(desc);
  }
}
