import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { pinnedPartitioner, pinPartitions } from '../../../src/pipelines/kafka/client.js';

const { Partitioners } = kafkajs;
type Message = { value: string; key?: string; partition?: number };
const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));

/** The partition of each message as kafkajs decides it for one attempt of a send. */
function attempt(partitioner: ReturnType<typeof Partitioners.DefaultPartitioner>, messages: Message[]): number[] {
  return messages.map((message) => partitioner({ topic: 'transactions', partitionMetadata, message }));
}

describe('pinPartitions', () => {
  it('makes a retried send put every message on the partition of its first attempt', () => {
    const messages = (): Message[] => Array.from({ length: 7 }, (_, index) => ({ value: `{"n":${index}}` }));
    // kafkajs partitions again on every retry: keyless messages move on in its round robin, so
    // the broker gets other messages under sequence numbers it already stored.
    const bare = Partitioners.DefaultPartitioner();
    const bareMessages = messages();
    expect(attempt(bare, bareMessages)).not.toEqual(attempt(bare, bareMessages));
    const pinned = Partitioners.DefaultPartitioner();
    const pinnedMessages = pinPartitions(messages(), 3, { value: 0 });
    expect(attempt(pinned, pinnedMessages)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(attempt(pinned, pinnedMessages)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('continues the turn across sends and leaves keyed or placed messages alone', () => {
    const turn = { value: 0 };
    const pin = (messages: Message[], partitions: number, next: { value: number }) => pinPartitions(messages, partitions, next);
    expect(pin([{ value: 'a' }, { value: 'b' }], 3, turn).map((message) => message.partition)).toEqual([0, 1]);
    const next = pin([{ value: 'c' }, { value: 'd', key: 'k' }, { value: 'e', partition: 0 }, { value: 'f' }], 3, turn);
    expect(next.map((message) => message.partition)).toEqual([2, undefined, 0, 0]);
    expect(pin([{ value: 'g' }], 0, { value: 0 })[0]!.partition).toBeUndefined();
  });

  it("the producer's partitioner refuses a message with neither key nor partition, before any send", () => {
    const partitioner = pinnedPartitioner();
    expect(() => attempt(partitioner, [{ value: 'loose' }])).toThrow(/neither a key nor a partition/);
    expect(attempt(partitioner, [{ value: 'placed', partition: 2 }])).toEqual([2]);
    const keyed = attempt(partitioner, [{ value: 'a', key: 'acc_1' }]);
    expect(attempt(partitioner, [{ value: 'b', key: 'acc_1' }])).toEqual(keyed);
  });
});
