import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/**
 * A test broker's port: `base` shifted by `ANALYTICS_TEST_PORT_OFFSET`, so that two checkouts
 * (or two CI jobs on one machine) can run their Kafka tests at the same time.
 */
export function testKafkaPort(base: number): number {
  const offset = Number(process.env.ANALYTICS_TEST_PORT_OFFSET ?? 0);
  return base + (Number.isInteger(offset) ? offset : 0);
}

/** The port of the broker the run's test files share (`sharedBroker`); far from a developer's 9092. */
export const DEFAULT_TEST_KAFKA_PORT = testKafkaPort(19092);

const BROKER_SCRIPT = fileURLToPath(new URL('../../scripts/kafka/broker.sh', import.meta.url));

/** Covers the one-time jar download on a cold cache, the storage format and the JVM start. */
const START_TIMEOUT_MS = 180_000;

export interface KafkaBrokerHandle {
  /** Bootstrap address for clients, e.g. `127.0.0.1:19092`. */
  brokers: string;
  /** Stops the broker if this call started it; a reused broker belongs to whoever started it. */
  stop(): Promise<void>;
}

/** broker.sh's environment for a broker on `port` (its controller next to it, so a test broker never collides with a developer's 9093). */
function brokerEnv(port: number, dataDir: string): Record<string, string> {
  return { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1), KAFKA_DATA_DIR: dataDir };
}

/** `broker.sh start` on `port`: whether it started a broker or found one running, and its address. */
async function startBroker(port: number, dataDir: string): Promise<{ state: 'started' | 'reused'; brokers: string }> {
  const started = await execa('bash', [BROKER_SCRIPT, 'start'], { env: brokerEnv(port, dataDir), timeout: START_TIMEOUT_MS, reject: false, stdin: 'ignore' });
  // The script's stdout contract: `kafka started|reused HOST:PORT`.
  const match = /^kafka (started|reused) (\S+)$/m.exec(started.stdout);
  if (started.failed || !match) {
    const reason = started.timedOut ? `timed out after ${START_TIMEOUT_MS / 1000}s` : started.failed ? `exit code ${started.exitCode}` : 'unexpected output';
    throw new Error(`Could not start the test Kafka broker on port ${port} (${reason}).\n${started.stdout}\n${started.stderr}`);
  }
  return { state: match[1] as 'started' | 'reused', brokers: match[2]! };
}

/**
 * Starts a real single-node Kafka broker for tests through `scripts/kafka/broker.sh` on a port of
 * the caller's (not the shared broker's, see `sharedBroker`), or reuses the one already running
 * on that port.
 *
 * A broker started here keeps its data in a fresh directory under the OS temp dir, so every run
 * begins with empty topics and consumer groups; `stop()` shuts it down and removes that directory.
 */
export async function ensureBroker(options: { port: number }): Promise<KafkaBrokerHandle> {
  const { port } = options;
  const dataDir = await mkdtemp(join(tmpdir(), `analytics-kafka-${port}-`));
  let started: Awaited<ReturnType<typeof startBroker>>;
  try {
    started = await startBroker(port, dataDir);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  if (started.state === 'reused') {
    await rm(dataDir, { recursive: true, force: true });
    return { brokers: started.brokers, stop: async () => {} };
  }
  let stopped = false;
  return {
    brokers: started.brokers,
    async stop() {
      if (stopped) return;
      stopped = true;
      await execa('bash', [BROKER_SCRIPT, 'stop'], { env: brokerEnv(port, dataDir), timeout: 60_000, stdin: 'ignore' });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Data folder of the run's shared broker: fixed, so that the global teardown can remove it. */
export function sharedBrokerDataDir(port = DEFAULT_TEST_KAFKA_PORT): string {
  return join(tmpdir(), `analytics-kafka-shared-${port}`);
}

/**
 * The broker the run's test files share (on DEFAULT_TEST_KAFKA_PORT): the first file that asks
 * starts it, the others reuse it (broker.sh serialises starts on a port), and the vitest
 * globalSetup's teardown stops it once every file is done (kafka-global-setup.ts). Its `stop` does
 * nothing. For tests that only need a broker; a test that stops or restarts its broker, or tests
 * the script, starts its own with `ensureBroker` on a port of its own. Test files keep apart on
 * it by their own topics and consumer groups.
 */
export async function sharedBroker(): Promise<KafkaBrokerHandle> {
  const dataDir = sharedBrokerDataDir();
  await mkdir(dataDir, { recursive: true });
  const { brokers } = await startBroker(DEFAULT_TEST_KAFKA_PORT, dataDir);
  return { brokers, stop: async () => {} };
}

/** Whether a broker this script started runs on `port` (`broker.sh status`). */
export async function brokerRunning(port = DEFAULT_TEST_KAFKA_PORT): Promise<boolean> {
  const status = await execa('bash', [BROKER_SCRIPT, 'status'], { env: brokerEnv(port, sharedBrokerDataDir(port)), timeout: 30_000, reject: false, stdin: 'ignore' });
  return /^running/m.test(status.stdout);
}

/** Stops the shared broker on `port` and removes its data folder. */
export async function stopSharedBroker(port = DEFAULT_TEST_KAFKA_PORT): Promise<void> {
  const dataDir = sharedBrokerDataDir(port);
  await execa('bash', [BROKER_SCRIPT, 'stop'], { env: brokerEnv(port, dataDir), timeout: 60_000, stdin: 'ignore' });
  await rm(dataDir, { recursive: true, force: true });
}
