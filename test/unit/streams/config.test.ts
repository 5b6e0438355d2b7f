/**
 * streams.yaml is checked at load: unknown fields, types and streams, invalid windows and
 * patterns that can never match are each reported once with file:line:column and the reason;
 * the shipped default file is valid.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText, type ConfigProblem } from '../../../src/config/load.js';
import { EventTypeRegistry } from '../../../src/contract/registry.js';
import { compileStreams, streamsSchemaFor } from '../../../src/streams/config.js';
import type { StreamsFile } from '../../../src/streams/schema.js';

const registry = EventTypeRegistry.create();
const schema = streamsSchemaFor(registry);

function problems(text: string): ConfigProblem[] {
  try {
    parseConfigText(text, 'streams.yaml', schema);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected problems');
}

const windowJob = (body: string) => `streams:
  - name: job
    kind: window
    events: [transaction]
${body}`;

describe('streams.yaml validation', () => {
  it('accepts the shipped default jobs and compiles all five', () => {
    const file = parseConfigText(readFileSync('streams.yaml', 'utf8'), 'streams.yaml', schema) as StreamsFile;
    expect(compileStreams(file, registry).jobs.map((job) => job.name)).toEqual(['tx_per_minute', 'merchant_decline_rate', 'fraud_joined', 'failed_logins_then_large_tx', 'notification_latency']);
  });

  it('rejects an unknown field with its line and the fields the type has', () => {
    const [problem, ...rest] = problems(windowJob(`    window: { type: tumbling, size: 1m }
    group_by: [contry]
    aggregates: [{ name: n, fn: count }]
`));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ file: 'streams.yaml', line: 6, path: 'streams[0].group_by[0]' });
    expect(problem!.message).toMatch(/event type "transaction" has no field "contry"; its fields: .*country/);
  });

  it('rejects an unknown event type', () => {
    const [problem] = problems(`streams:
  - name: job
    kind: window
    events: [transactions]
    window: { type: tumbling, size: 1m }
    aggregates: [{ name: n, fn: count }]
`);
    expect(problem).toMatchObject({ line: 4, path: 'streams[0].events[0]' });
    expect(problem!.message).toMatch(/unknown event type "transactions"; known types: transaction, fraud_detection/);
  });

  it('rejects an unknown kind of stream (job kind) with the allowed kinds', () => {
    const [problem] = problems(`streams:
  - name: job
    kind: windowed
    events: [transaction]
`);
    expect(problem).toMatchObject({ line: 3, path: 'streams[0].kind' });
  });

  it.each([
    ['a zero size', '    window: { type: tumbling, size: 0s }', /size must be longer than 0/],
    ['a size that is not a duration', '    window: { type: tumbling, size: 1 minute }', /use a duration such as/],
    ['a hopping window without advance', '    window: { type: hopping, size: 5m }', /needs an advance/],
    ['an advance longer than the size', '    window: { type: hopping, size: 1m, advance: 5m }', /advance 5m is longer than size 1m/],
    ['a session without gap', '    window: { type: session }', /needs a gap/],
  ])('rejects an invalid window: %s', (_label, window, message) => {
    const found = problems(windowJob(`${window}
    aggregates: [{ name: n, fn: count }]
`));
    expect(found).toHaveLength(1);
    expect(`${found[0]!.message} (${found[0]!.hint ?? ''})`).toMatch(message);
    expect(found[0]!.line).toBe(5);
  });

  it('rejects a sum over text and a percentile without field', () => {
    const found = problems(windowJob(`    window: { type: tumbling, size: 1m }
    aggregates:
      - { name: s, fn: sum, field: country }
      - { name: p, fn: p95 }
`));
    expect(found.map((problem) => [problem.line, problem.message])).toEqual([
      [7, 'field "country" is VARCHAR, not a number'],
      [8, 'p95 needs a field'],
    ]);
  });

  it('rejects patterns that can never match, with the reason', () => {
    const found = problems(`streams:
  - name: takeover
    kind: pattern
    key: account_id
    within: 10m
    steps:
      - { type: security_alert, where: { category: failed_logins }, min_count: 3 }
      - { type: transaction, where: { amount_reporting: { gt: 1000, lt: 500 } } }
      - { type: fraud_detection, where: { score: { gt: 1 } } }
    emit: { type: account_takeover_suspected }
`);
    expect(found.map((problem) => [problem.line, problem.path, problem.message])).toEqual([
      [7, 'streams[0].steps[0].where.category', 'this condition can never hold: "failed_logins" is not a value of category (one of failed_login, credential_stuffing, impossible_travel, new_device, privilege_escalation, malware, data_exfiltration, other)'],
      [8, 'streams[0].steps[1].where.amount_reporting', 'this condition can never hold: no number is in that range'],
      [9, 'streams[0].steps[2].where.score', 'this condition can never hold: no number is in that range'],
    ]);
  });

  it('rejects a join whose keys can never be equal, and a missing key field', () => {
    const found = problems(`streams:
  - name: joined
    kind: join
    within: 5m
    left: { type: fraud_detection, key: score }
    right: { type: transaction, key: transaction_ref }
`);
    expect(found.map((problem) => [problem.line, problem.message.split(';')[0]])).toEqual([[6, 'event type "transaction" has no field "transaction_ref"']]);
    const types = problems(`streams:
  - name: joined
    kind: join
    within: 5m
    left: { type: fraud_detection, key: score }
    right: { type: transaction, key: transaction_id }
`);
    expect(types[0]!.message).toMatch(/different types \(DOUBLE and VARCHAR\)/);
  });

  it('rejects two jobs of one name and a job named like an event table', () => {
    const job = (name: string) => `  - name: ${name}
    kind: window
    events: [transaction]
    window: { type: tumbling, size: 1m }
    aggregates: [{ name: n, fn: count }]
`;
    const found = problems(`streams:\n${job('a')}${job('a')}${job('transactions')}`);
    expect(found.map((problem) => problem.message)).toEqual(['"a" is defined twice', '"transactions" is the name of a lake table already; choose another name']);
  });

  it('rejects a derived event type that names a table or job, or that another pattern emits', () => {
    const pattern = (name: string, type: string) => `  - name: ${name}
    kind: pattern
    key: account_id
    within: 10m
    steps:
      - { type: security_alert, min_count: 3 }
      - { type: transaction }
    emit: { type: ${type} }
`;
    const found = problems(`streams:\n${pattern('p1', 'transactions')}${pattern('p2', 'p1')}${pattern('p3', 'takeover')}${pattern('p4', 'takeover')}`);
    expect(found.map((problem) => [problem.path, problem.message])).toEqual([
      ['streams[0].emit.type', '"transactions" is the name of a lake table or stream job already; the derived events are queried under their type\'s name, so choose another'],
      ['streams[1].emit.type', '"p1" is the name of a lake table or stream job already; the derived events are queried under their type\'s name, so choose another'],
      ['streams[3].emit.type', '"takeover" is emitted by stream job p3 already; give each pattern\'s derived events a type of their own'],
    ]);
  });
});
