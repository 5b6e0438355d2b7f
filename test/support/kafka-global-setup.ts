import type { TestProject } from 'vitest/node';
import { ensureBroker, type KafkaBrokerHandle } from './kafka-broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap address of the shared test broker, e.g. `127.0.0.1:19092`. */
    kafkaBrokers: string;
  }
}

let broker: KafkaBrokerHandle | undefined;

/**
 * vitest globalSetup: starts one Kafka broker for the whole run and hands its address to tests,
 * which read it with `inject('kafkaBrokers')`. Tests that call `ensureBroker()` on the same port
 * reuse this broker instead of starting their own.
 */
export async function setup(project: TestProject): Promise<void> {
  broker = await ensureBroker();
  project.provide('kafkaBrokers', broker.brokers);
}

/** Stops the broker `setup` started (a reused one is left running). */
export async function teardown(): Promise<void> {
  await broker?.stop();
  broker = undefined;
}
