/**
 * `output.kafka` in streams.yaml: checked against analytics.yaml's `kafka:` section when the file
 * is loaded, each problem with file:line:column; an output does not change a job's state.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText, type ConfigProblem } from '../../../src/config/load.js';
import { kafkaSchema } from '../../../src/config/workspace-schema.js';
import { EventTypeRegistry } from '../../../src/contract/registry.js';
import { compileStreams, streamsSchemaFor, type KafkaOutputSettings } from '../../../src/streams/config.js';
import type { StreamsFile } from '../../../src/streams/schema.js';

const registry = EventTypeRegistry.create();
const kafka = kafkaSchema.parse({ dead_letter_topic: 'rejects' });

function problems(text: string, settings?: KafkaOutputSettings): ConfigProblem[] {
  try {
    parseConfigText(text, 'streams.yaml', streamsSchemaFor(registry, settings));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const job = (output: string) => `streams:
  - name: tx_count
    kind: window
    events: [transaction]
    window: { type: tumbling, size: 1m }
    aggregates: [{ name: n, fn: count }]
${output}`;

describe('output.kafka in streams.yaml', () => {
  it('accepts a topic and compiles it; the job keeps the fingerprint it has without an output', () => {
    const withOutput = parseConfigText(job('    output: { kafka: { topic: stream-results } }\n'), 'streams.yaml', streamsSchemaFor(registry, kafka)) as StreamsFile;
    const without = parseConfigText(job(''), 'streams.yaml', streamsSchemaFor(registry, kafka)) as StreamsFile;
    const [compiled] = compileStreams(withOutput, registry).jobs;
    const [plain] = compileStreams(without, registry).jobs;
    expect(compiled!.kafkaTopic).toBe('stream-results');
    expect(plain!.kafkaTopic).toBeUndefined();
    expect(compiled!.fingerprint).toBe(plain!.fingerprint);
  });

  it('rejects an output to Kafka when the workspace has no Kafka connection, at the topic\'s line', () => {
    const [problem, ...rest] = problems(job('    output:\n      kafka: { topic: stream-results }\n'));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ file: 'streams.yaml', line: 8, path: 'streams[0].output.kafka.topic' });
    expect(problem!.message).toMatch(/needs the workspace's Kafka connection: set kafka.brokers/);
  });

  it('rejects an ingest topic or the dead-letter topic as an output, naming the setting', () => {
    const [ingest] = problems(job('    output: { kafka: { topic: transactions } }\n'), kafka);
    expect(ingest).toMatchObject({ line: 7, path: 'streams[0].output.kafka.topic' });
    expect(ingest!.message).toMatch(/"transactions" is the ingest topic of transaction events \(kafka.topics in analytics.yaml\)/);
    const [rejects] = problems(job('    output: { kafka: { topic: rejects } }\n'), kafka);
    expect(rejects!.message).toMatch(/dead-letter topic/);
  });

  it('rejects a topic name Kafka does not allow, and unknown keys', () => {
    const [name] = problems(job('    output: { kafka: { topic: "stream results" } }\n'), kafka);
    expect(name).toMatchObject({ line: 7, path: 'streams[0].output.kafka.topic' });
    expect(name!.message).toMatch(/found "stream results"/);
    expect(name!.hint).toMatch(/letters, digits, dots, underscores or dashes/);
    const [unknown] = problems(job('    output: { kafka: { topic: ok, partitions: 3 } }\n'), kafka);
    expect(unknown!.path).toMatch(/^streams\[0\]\.output\.kafka/);
  });
});

describe('emit.type of a pattern job', () => {
  it('rejects a type the contract already has: a derived event is a new type', () => {
    const [problem] = problems(`streams:
  - name: takeover
    kind: pattern
    key: account_id
    within: 10m
    steps: [{ type: transaction }]
    emit: { type: transaction }
`, kafka);
    expect(problem).toMatchObject({ line: 7, path: 'streams[0].emit.type' });
    expect(problem!.message).toMatch(/is an event type of the contract already/);
  });
});
