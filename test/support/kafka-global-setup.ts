import { rm } from 'node:fs/promises';
import { brokerRunning, sharedBrokerDataDir, stopSharedBroker } from './kafka-broker.js';

/** Whether the shared broker's port had a broker of ours before the run (then it is not stopped). */
let runningBefore = false;

/**
 * vitest globalSetup for the run's shared Kafka broker (`sharedBroker()` in kafka-broker.ts). It
 * starts nothing: the first test file that needs the broker starts it, so a run without Kafka
 * tests (`vitest run test/unit`) pays nothing. Before the run the shared data folder is cleared,
 * so every run begins with an empty cluster; after it, the broker is stopped and its folder
 * removed, unless it was already running before the run (a developer's, reused and left alone).
 */
export async function setup(): Promise<void> {
  runningBefore = await brokerRunning();
  if (!runningBefore) await rm(sharedBrokerDataDir(), { recursive: true, force: true });
}

export async function teardown(): Promise<void> {
  if (!runningBefore && await brokerRunning()) await stopSharedBroker();
}
