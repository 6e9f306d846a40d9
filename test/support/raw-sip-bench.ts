// A whole switch with one provisioned account, driven over raw loopback sockets by hand-built SIP
// (test/e2e/sip-bad-input.test.ts): the peers a test opens are closed with the bench.
import assert from 'node:assert/strict';
import { DigestClient, type SipResponse } from '../../src/sip/index.ts';
import type { Clock } from '../../src/lib/index.ts';
import { startHarness, type Harness } from './api-harness.ts';
import { pglite } from './backends.ts';
import { settled } from './live-channels.ts';
import { proxyAuthorization, RawTcpPeer, RawUdpPeer, sdpOffer, sipRequest, type BuiltRequest, type RawPeerType, type RequestSpec } from './raw-sip.ts';
import { PASSWORD, provision, type Phones } from './switch-fixture.ts';

/** A running switch with one provisioned account, and the raw sockets tests opened on it. */
export class RawSipBench {
  readonly h: Harness;
  readonly p: Phones;
  readonly #peers: RawPeerType[] = [];

  private constructor(h: Harness, p: Phones) {
    this.h = h;
    this.p = p;
  }

  /** Devices alice, bob, carol, flooder and nobody (never registered); 2001 rings nobody, 2002 carol. */
  static async start(name: string, clock?: Clock): Promise<RawSipBench> {
    const h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' }, ...(clock !== undefined ? { clock } : {}) });
    try {
      const p = await provision(h, name, {
        devices: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol' }, { username: 'flooder' }, { username: 'nobody' }],
        callflows: [
          { number: '2001', device: 'nobody' },
          { number: '2002', device: 'carol' },
        ],
      });
      return new RawSipBench(h, p);
    } catch (error) {
      await h.close();
      throw error;
    }
  }

  /** A fresh UDP socket talking to the switch's SIP port. */
  async udp(): Promise<RawUdpPeer> {
    const peer = await RawUdpPeer.open(this.h.app.sipPort);
    this.#peers.push(peer);
    return peer;
  }

  /** A fresh TCP connection to the switch's SIP port. */
  async tcp(): Promise<RawTcpPeer> {
    const peer = await RawTcpPeer.open(this.h.app.sipPort);
    this.#peers.push(peer);
    return peer;
  }

  /** The switch still answers an OPTIONS from a fresh socket with 200. */
  async stillAnswers(): Promise<void> {
    const peer = await this.udp();
    const options = sipRequest({ method: 'OPTIONS' }, peer.local);
    const res = await peer.final(options, 'OPTIONS');
    assert.equal(res?.status, 200, 'OPTIONS after bad input');
    await peer.close();
  }

  /** An INVITE (alice by default) to `ext` in the account's realm, with an SDP offer. */
  invite(peer: RawPeerType, ext: string, extra: Partial<RequestSpec> = {}): BuiltRequest {
    const { headers = [], ...rest } = extra;
    return sipRequest(
      { method: 'INVITE', user: 'alice', toUser: ext, domain: this.p.realm, body: sdpOffer(), ...rest, headers: [['Content-Type', 'application/sdp'], ...headers] },
      peer.local,
    );
  }

  /** A challenge for `user`, then an INVITE to `ext` carrying its answer (not sent yet). */
  async authenticated(peer: RawPeerType, user: string, ext: string, extra: Partial<RequestSpec> = {}): Promise<{ request: BuiltRequest; client: DigestClient; challenge: SipResponse }> {
    const uri = `sip:${ext}@${this.p.realm}`;
    const challenge = await peer.final(this.invite(peer, ext, { user }), 'INVITE', 4000, uri);
    assert.ok(challenge?.status === 407, `challenge for ${user}: ${challenge?.status}`);
    const client = new DigestClient();
    const auth = proxyAuthorization(client, challenge, 'INVITE', uri, user, PASSWORD);
    const request = this.invite(peer, ext, { user, ...extra, headers: [['Proxy-Authorization', auth], ...(extra.headers ?? [])] });
    return { request, client, challenge };
  }

  /** A raw UDP phone registered as `user` (digest, RFC 3261 §10.2), ready to receive the switch's INVITEs. */
  async registeredPhone(user: string): Promise<RawUdpPeer> {
    const peer = await this.udp();
    const uri = `sip:${this.p.realm}`;
    const spec: RequestSpec = { method: 'REGISTER', uri, user, toUser: user, domain: this.p.realm, headers: [['Expires', '300']] };
    const challenge = await peer.final(sipRequest(spec, peer.local), 'REGISTER');
    assert.ok(challenge?.status === 401, `REGISTER challenge: ${challenge?.status}`);
    const auth = new DigestClient().respond({ method: 'REGISTER', uri, challengeHeader: challenge.headers.getAll('WWW-Authenticate'), username: user, password: PASSWORD });
    const ok = await peer.final(sipRequest({ ...spec, cseq: 2, headers: [...(spec.headers ?? []), ['Authorization', auth]] }, peer.local), 'REGISTER');
    assert.equal(ok?.status, 200, 'REGISTER');
    return peer;
  }

  /** Waits until no channel and no media endpoint is left. */
  async drained(ms = 5000): Promise<void> {
    await settled(this.h, ms, ms);
  }

  /** Closes every peer opened through the bench, then the switch. */
  async close(): Promise<void> {
    await Promise.all(this.#peers.map((peer) => peer.close()));
    await this.h.close();
  }
}
