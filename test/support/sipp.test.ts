// Validates the SIPp scenarios of test/sipp against each other (and against the stand-in stubs)
// over loopback, without the switch: a UAS side started first, then the UAC side pointed at it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, portIsBound } from './sipp-ports.ts';
import {
  csvAuthentication,
  explainSipp,
  runSipp,
  startSipp,
  stopAllSipp,
  type SippOptions,
  type SippResult,
  type SippTransport,
} from './sipp.ts';
import { sippSkip } from './sipp-skip.ts';

const skip = sippSkip({ media: false });
const skipMedia = sippSkip();
const caller = { user: 'alice', domain: 'acme.test', ext: '1001' } as const;
const TIMEOUT = 20;

after(stopAllSipp);

type Side = Omit<SippOptions, 'timeoutSec' | 'remote'> & { readonly timeoutSec?: number };

/** Starts `uas`, runs `uac` against it, and returns both results. */
async function pair(uas: Side, uac: Side): Promise<{ uas: SippResult; uac: SippResult }> {
  const server = await startSipp({ timeoutSec: TIMEOUT, ...uas });
  try {
    const client = await runSipp({
      timeoutSec: TIMEOUT,
      transport: uas.transport,
      ...uac,
      remote: `${server.localIp}:${server.localPort}`,
    });
    const done = await Promise.race([server.done, new Promise<undefined>((r) => setTimeout(r, 5000, undefined))]);
    return { uas: done ?? (await server.stop()), uac: client };
  } finally {
    await server.stop();
  }
}

function assertOk(result: SippResult, calls = 1): void {
  assert.equal(result.exitCode, 0, explainSipp(result));
  assert.equal(result.successful, calls, explainSipp(result));
  assert.equal(result.failed, 0, explainSipp(result));
}

function assertFailed(result: SippResult, counter: string): void {
  assert.equal(result.failed, 1, explainSipp(result));
  assert.equal(result.stats[`${counter}(C)`], '1', explainSipp(result));
}

describe('SIPp calls, phone to phone', { skip: skipMedia, concurrency: 4 }, () => {
  for (const transport of ['udp', 'tcp'] as const satisfies readonly SippTransport[]) {
    test(`uac-call and uas-answer talk over ${transport} and each side receives the other's RTP`, async () => {
      const r = await pair(
        { scenario: 'uas-answer.xml', transport, countRtp: true, vars: { answer_ms: 100 } },
        { scenario: 'uac-call.xml', countRtp: true, vars: { ...caller, hold_ms: 1500 } },
      );
      assertOk(r.uas);
      assertOk(r.uac);
      for (const [side, peer] of [[r.uac, r.uas], [r.uas, r.uac]] as const) {
        const pcma = side.rtp?.byPayloadType[8] ?? 0;
        assert.ok(pcma >= 20, `${side.scenario} received ${pcma} PCMA packets`);
        // The pcap is sent from the port the sender advertised (symmetric RTP).
        assert.deepEqual(side.rtp?.sources, [`127.0.0.1:${peer.rtpPort}`]);
      }
      if (transport === 'tcp') assert.match(r.uac.messages ?? '', /Via: SIP\/2\.0\/TCP /);
    });
  }

  test('uac-call-wait-bye answers the BYE that uas-answer-send-bye sends', async () => {
    const r = await pair(
      { scenario: 'uas-answer-send-bye.xml', vars: { hangup_ms: 500 } },
      { scenario: 'uac-call-wait-bye.xml', countRtp: true, vars: caller },
    );
    assertOk(r.uas);
    assertOk(r.uac);
    assert.match(r.uac.messages ?? '', /^BYE sip:alice@127\.0\.0\.1:\d+;transport=UDP SIP\/2\.0$/m);
    assert.ok((r.uac.rtp?.byPayloadType[8] ?? 0) > 0, 'the caller got RTP before the BYE');
  });

  test('uac-info-dtmf sends every digit as INFO and uas-answer logs them in order', async () => {
    const r = await pair(
      { scenario: 'uas-answer.xml' },
      { scenario: 'uac-info-dtmf.xml', vars: { ...caller, digits: '*2#10', lead_ms: 100, gap_ms: 100, hold_ms: 100 } },
    );
    assertOk(r.uas);
    assertOk(r.uac);
    const digits = [...r.uas.logs.matchAll(/^dtmf-info (\S)/gm)].map((m) => m[1]).join('');
    assert.equal(digits, '*2#10');
    assert.match(r.uac.messages ?? '', /Content-Type: application\/dtmf-relay/);
  });

  test('uac-rfc2833-dtmf replays telephone-event pcaps that the far side decodes', async () => {
    const r = await pair(
      { scenario: 'uas-answer.xml', countRtp: true },
      { scenario: 'uac-rfc2833-dtmf.xml', vars: { ...caller, digits: '*2101', lead_ms: 100, gap_ms: 250, hold_ms: 100 } },
    );
    assertOk(r.uas);
    assertOk(r.uac);
    assert.equal(r.uas.rtp?.digits, '*2101');
    assert.equal(r.uas.rtp?.byPayloadType[101], 50);
  });
});

describe('SIPp calls that fail or are cancelled', { skip, concurrency: 4 }, () => {
  test('uac-expect-failure accepts the 486 that uas-busy sends', async () => {
    const r = await pair(
      { scenario: 'uas-busy.xml' },
      { scenario: 'uac-expect-failure.xml', vars: { ...caller, expected_code: 486 } },
    );
    assertOk(r.uas);
    assertOk(r.uac);
    assert.match(r.uac.logs, /final response 486 \(expected 486\)/);
  });

  test('uac-expect-failure fails the call, after its ACK, when the status is not the expected one', async () => {
    const r = await pair(
      { scenario: 'uas-busy.xml' },
      { scenario: 'uac-expect-failure.xml', vars: { ...caller, expected_code: 404 } },
    );
    assertOk(r.uas);
    assertFailed(r.uac, 'FailedStrcmpDoesntMatch');
    assert.match(r.uac.logs, /final response 486 \(expected 404\)/);
  });

  for (const transport of ['udp', 'tcp'] as const satisfies readonly SippTransport[]) {
    test(`uac-cancel cancels uas-ring-no-answer while it rings, over ${transport}`, async () => {
      const r = await pair(
        { scenario: 'uas-ring-no-answer.xml', transport },
        { scenario: 'uac-cancel.xml', vars: { ...caller, ring_ms: 200 } },
      );
      assertOk(r.uas);
      assertOk(r.uac);
      assert.match(r.uac.messages ?? '', /^SIP\/2\.0 487 Request Terminated$/m);
    });
  }

  test('uas-ring-then-cancel accepts a CANCEL with the INVITE branch and CSeq number', async () => {
    const r = await pair({ scenario: 'uas-ring-then-cancel.xml' }, { scenario: 'uac-cancel.xml', vars: caller });
    assertOk(r.uas);
    assertOk(r.uac);
    assert.match(r.uas.logs, /^cancel-cseq 1 invite-cseq 1$/m);
    assert.match(r.uas.logs, /^cancel-branch (\S+) invite-branch \1 /m);
  });
});

describe('SIPp digest authentication against the stubs', { skip, concurrency: 4 }, () => {
  const registrar = { scenario: 'stub-registrar.xml', vars: { password: 's3cret', realm: caller.domain } } as const;
  const alice = { username: 'alice', password: 's3cret', uri: caller.domain } as const;
  const registration = { user: 'alice', domain: caller.domain } as const;

  for (const transport of ['udp', 'tcp'] as const satisfies readonly SippTransport[]) {
    test(`register answers the challenge and binds its contact, over ${transport}`, async () => {
      const r = await pair(
        { ...registrar, transport },
        { scenario: 'register.xml', auth: alice, vars: { ...registration, expires: 120 } },
      );
      assertOk(r.uas);
      assertOk(r.uac);
      const contact = `<sip:alice@127.0.0.1:${r.uac.localPort};transport=${transport.toUpperCase()}>`;
      assert.ok(r.uas.logs.includes(`register user=alice expires=120 contact=${contact}`), r.uas.logs);
      assert.match(r.uas.logs, /^accepted alice$/m);
      assert.ok(r.uac.logs.includes(`registered ${contact};expires=120`), r.uac.logs);
      assert.match(r.uac.messages ?? '', /Authorization: Digest username="alice",realm="acme\.test",.*uri="sip:acme\.test"/);
    });
  }

  test('register fails when the registrar refuses the password', async () => {
    const r = await pair(registrar, { scenario: 'register.xml', auth: { ...alice, password: 'wrong' }, vars: registration });
    assert.match(r.uas.logs, /^refused alice$/m);
    assertFailed(r.uac, 'FailedUnexpectedMessage');
  });

  test('register-bad-password succeeds when the registrar refuses the password', async () => {
    const r = await pair(registrar, {
      scenario: 'register-bad-password.xml',
      auth: { ...alice, password: 'wrong' },
      vars: registration,
    });
    assertOk(r.uac);
    assert.match(r.uac.logs, /^refused SIP\/2\.0 403$/m);
  });

  test('unregister asks for Expires 0 with the same contact', async () => {
    const r = await pair(registrar, { scenario: 'unregister.xml', auth: alice, vars: registration });
    assertOk(r.uac);
    assert.ok(r.uas.logs.includes(`expires=0 contact=<sip:alice@127.0.0.1:${r.uac.localPort};transport=UDP>`), r.uas.logs);
  });

  test('register-csv registers one user per injection row', async () => {
    const rows = ['bob', 'carol'].map((user) => [user, csvAuthentication(user, 's3cret')]);
    const r = await pair(
      { ...registrar, calls: 2 },
      {
        scenario: 'register-csv.xml',
        calls: 2,
        injectionCsv: rows,
        auth: { uri: caller.domain },
        vars: { domain: caller.domain },
      },
    );
    assertOk(r.uas, 2);
    assertOk(r.uac, 2);
    assert.match(r.uas.logs, /^accepted bob$/m);
    assert.match(r.uas.logs, /^accepted carol$/m);
    assert.match(r.uac.logs, /^registered carol <sip:carol@/m);
  });

  test('uac-call re-sends its INVITE with credentials after a 401', { skip: skipMedia }, async () => {
    const r = await pair(
      { scenario: 'stub-auth-uas.xml', vars: { user: 'alice', password: 's3cret', realm: caller.domain } },
      { scenario: 'uac-call.xml', auth: { ...alice, uri: `${caller.ext}@${caller.domain}` }, vars: { ...caller, hold_ms: 200 } },
    );
    assertOk(r.uas);
    assertOk(r.uac);
    assert.match(r.uas.logs, /^invite-auth true cseq=2$/m);
    assert.match(r.uac.messages ?? '', /^ACK sip:1001@acme\.test SIP\/2\.0$/m);
  });

  test('uac-expect-failure sees the 403 for a wrong INVITE password', async () => {
    const r = await pair(
      { scenario: 'stub-auth-uas.xml', vars: { user: 'alice', password: 's3cret', realm: caller.domain } },
      {
        scenario: 'uac-expect-failure.xml',
        auth: { ...alice, password: 'nope', uri: '1001@acme.test' },
        vars: { ...caller, expected_code: 403 },
      },
    );
    assertOk(r.uas);
    assertOk(r.uac);
    assert.match(r.uas.logs, /^invite-auth false cseq=2$/m);
  });
});

describe('SIPp harness', { skip, concurrency: 2 }, () => {
  test('startSipp resolves once SIPp listens, and stop() ends it and frees its ports', async () => {
    const running = await startSipp({ scenario: 'uas-answer.xml', timeoutSec: TIMEOUT, countRtp: true });
    assert.equal(portIsBound(running.localIp, running.localPort, 'udp'), true);
    assert.equal(running.exited, false);
    const result = await running.stop();
    assert.equal(running.exited, true);
    assert.equal(running.rtp?.closed, true);
    assert.equal(result.successful, 0);
    assert.equal(portIsBound(running.localIp, running.localPort, 'udp'), false);
  });

  test('a call nobody answers ends at the timeout with SIPp exit status 255', async () => {
    const port = await freePort('127.0.0.1', 'udp');
    const started = Date.now();
    const result = await runSipp({
      scenario: 'uac-expect-failure.xml',
      remote: `127.0.0.1:${port}`,
      timeoutSec: 2,
      vars: { ...caller, expected_code: 486 },
    });
    assert.equal(result.exitCode, 255, explainSipp(result));
    assert.match(result.errors, /timed out after/);
    assert.ok(Date.now() - started < 6000);
  });
});
