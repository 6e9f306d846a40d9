// Checks the scenario files and the harness pieces that need no SIPp binary: key declarations,
// README coverage, and the RTP counter's packet and telephone-event accounting.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RtpCounter } from './rtp-counter.ts';
import { parseStatCsv, startSipp } from './sipp.ts';
import { ScenarioKeyError, SIPP_SCENARIO_DIR, parseScenarioKeys, resolveScenarioKeys } from './sipp-scenario.ts';

const scenarios = readdirSync(SIPP_SCENARIO_DIR)
  .filter((f) => f.endsWith('.xml'))
  .sort();

/** SIPp 3.6 built-in message keywords our scenarios may use. */
const BUILTIN = new Set([
  'transport', 'local_ip', 'local_ip_type', 'local_port', 'remote_ip', 'remote_port', 'media_ip', 'media_ip_type',
  'media_port', 'branch', 'call_id', 'call_number', 'cseq', 'pid', 'peer_tag_param', 'next_url', 'routes', 'len',
  'service', 'authentication', 'last_cseq_number', 'last_Request_URI',
]);

function keywordsUsed(xml: string): Set<string> {
  const used = new Set<string>();
  const code = xml.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of code.matchAll(/\[([A-Za-z_][A-Za-z0-9_-]*)(?:[+-]\d+)?(?:[ \]])/g)) {
    const word = m[1] ?? '';
    if (!BUILTIN.has(word) && !word.startsWith('last_') && !/^field\d+$/.test(word)) used.add(word);
  }
  return used;
}

describe('scenario files', () => {
  test('there is a scenario for every flow the end-to-end tests need', () => {
    for (const name of [
      'register.xml', 'register-bad-password.xml', 'register-csv.xml', 'unregister.xml', 'uac-call.xml',
      'uac-call-wait-bye.xml', 'uac-cancel.xml', 'uac-expect-failure.xml', 'uac-info-dtmf.xml',
      'uac-rfc2833-dtmf.xml', 'uas-answer.xml', 'uas-answer-send-bye.xml', 'uas-busy.xml',
      'uas-ring-no-answer.xml', 'uas-ring-then-cancel.xml', 'stub-registrar.xml', 'stub-auth-uas.xml',
    ]) {
      assert.ok(scenarios.includes(name), `${name} is missing`);
    }
  });

  test('every scenario declares exactly the keys its messages use', () => {
    for (const name of scenarios) {
      const xml = readFileSync(join(SIPP_SCENARIO_DIR, name), 'utf8');
      const declared = parseScenarioKeys(xml).map((k) => k.name).sort();
      assert.deepEqual([...keywordsUsed(xml)].sort(), declared, name);
    }
  });

  test('every scenario is described in the folder README', () => {
    const readme = readFileSync(join(SIPP_SCENARIO_DIR, 'README.md'), 'utf8');
    for (const name of scenarios) assert.ok(readme.includes(`\`${name}\``), `${name} is not in test/sipp/README.md`);
  });

  test('every SDP offers or answers PCMA and telephone-event/101 at media_port+4', () => {
    for (const name of scenarios) {
      const xml = readFileSync(join(SIPP_SCENARIO_DIR, name), 'utf8');
      for (const m of xml.matchAll(/^\s*m=audio (\S+) RTP\/AVP (.*)$/gm)) {
        assert.equal(m[1], '[media_port+4]', name);
        assert.equal(m[2], '8 101', name);
      }
    }
  });
});

describe('scenario keys', () => {
  const keys = parseScenarioKeys(
    '<!-- @key user : caller --><!-- @key hold_ms=3000 : hold time -->\n<!-- @key digits=*2# : what to dial -->',
  );

  test('declarations give names, defaults and descriptions', () => {
    assert.deepEqual(keys, [
      { name: 'user', defaultValue: undefined, description: 'caller' },
      { name: 'hold_ms', defaultValue: '3000', description: 'hold time' },
      { name: 'digits', defaultValue: '*2#', description: 'what to dial' },
    ]);
  });

  test('defaults fill in what the test leaves out', () => {
    assert.deepEqual(resolveScenarioKeys(keys, { user: 'alice', hold_ms: 500 }), {
      user: 'alice',
      hold_ms: '500',
      digits: '*2#',
    });
  });

  test('a missing required key is an error naming it', () => {
    assert.throws(() => resolveScenarioKeys(keys, {}, 'x.xml'), (err: unknown) => {
      return err instanceof ScenarioKeyError && /missing key\(s\) user \(caller\)/.test(err.message);
    });
  });

  test('an undeclared key is an error, so typos do not pass silently', () => {
    assert.throws(() => resolveScenarioKeys(keys, { user: 'a', hold: 1 }, 'x.xml'), /unknown key\(s\) hold/);
  });

  test('the harness checks keys before it starts SIPp', async () => {
    await assert.rejects(startSipp({ scenario: 'uac-call.xml', timeoutSec: 1, vars: { user: 'alice' } }), (err: unknown) => {
      return err instanceof ScenarioKeyError && /uac-call\.xml: missing key\(s\) domain .*; ext /.test(err.message);
    });
  });
});

describe('SIPp statistics', () => {
  test('the last row of the stat CSV is read by column name', () => {
    const csv = 'StartTime;SuccessfulCall(C);FailedCall(C);\n2026;0;0;\n2026;1;2;\n';
    assert.deepEqual(parseStatCsv(csv), { StartTime: '2026', 'SuccessfulCall(C)': '1', 'FailedCall(C)': '2' });
  });

  test('a missing stat file gives no statistics', () => {
    assert.deepEqual(parseStatCsv(''), {});
  });
});

function rtpPacket(pt: number, seq: number, ts: number, marker = false, payload: Uint8Array = Buffer.alloc(160)): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (marker ? 0x80 : 0) | pt;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(ts, 4);
  header.writeUInt32BE(0x1234, 8);
  return Buffer.concat([header, payload]);
}

function dtmfPayload(event: number, end: boolean, duration: number): Uint8Array {
  const p = Buffer.alloc(4);
  p[0] = event;
  p[1] = end ? 0x8a : 0x0a;
  p.writeUInt16BE(duration, 2);
  return p;
}

describe('RtpCounter', () => {
  test('counts RTP by payload type and decodes telephone-events, a repeated digit included', async () => {
    const counter = await RtpCounter.open();
    const sender = createSocket('udp4');
    try {
      const packets: Buffer[] = [rtpPacket(8, 1, 160), rtpPacket(8, 2, 320), Buffer.from('not rtp')];
      // "1", "1" again with the same timestamp (what replaying dtmf_2833_1.pcap twice looks like), then "#".
      for (const [event, ts] of [[1, 1000], [1, 1000], [11, 2000]] as const) {
        packets.push(rtpPacket(101, 10, ts, true, dtmfPayload(event, false, 160)));
        packets.push(rtpPacket(101, 11, ts, false, dtmfPayload(event, false, 320)));
        for (let i = 0; i < 3; i += 1) packets.push(rtpPacket(101, 12, ts, false, dtmfPayload(event, true, 480)));
      }
      for (const p of packets) sender.send(p, counter.port, '127.0.0.1');
      const counts = await counter.waitFor((c) => c.received + c.invalid === packets.length, 2000);
      assert.equal(counts.received, packets.length - 1);
      assert.equal(counts.invalid, 1);
      assert.deepEqual(counts.byPayloadType, { 8: 2, 101: 15 });
      assert.equal(counts.digits, '11#');
      assert.ok(counts.dtmf.every((e) => e.ended));
      assert.deepEqual(counts.ssrcs, [0x1234]);
    } finally {
      sender.close();
      await counter.close();
    }
    assert.equal(counter.closed, true);
    await counter.close();
  });

  test('a pending wait is rejected when the counter closes', async () => {
    const counter = await RtpCounter.open();
    const wait = counter.waitFor((c) => c.received > 0, 5000);
    await counter.close();
    await assert.rejects(wait, /closed/);
  });
});
