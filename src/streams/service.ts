/** Read-side services behind the `analytics stream` commands. */
import { LakeLayout } from '../lake/layout.js';
import { readLatestSnapshot } from '../lake/snapshot.js';
import type { Workspace } from '../workspace/workspace.js';
import { loadStreams } from './config.js';
import { streamsSourceOf } from './streams-source.js';

export interface StreamJobSummary {
  name: string;
  kind: string;
  description: string;
  enabled: boolean;
  events: string[];
  /** Window, time bound or steps, in a few words. */
  shape: string;
  lateness: string;
  /** Where results go besides the lake table and the feed: `kafka:<topic>`, or null. */
  output: string | null;
  watermark: string | null;
  rows: number;
}

export async function listStreams(workspace: Workspace): Promise<StreamJobSummary[]> {
  const { file } = await loadStreams(workspace.root, workspace.registry, workspace.config.kafka);
  const snapshot = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
  const watermarks = streamsSourceOf(snapshot)?.watermarks ?? {};
  return file.streams.map((job) => {
    const rows = snapshot.files.filter((entry) => entry.table === job.name).reduce((sum, entry) => sum + entry.rows, 0);
    const events = job.kind === 'window' ? job.events : job.kind === 'join' ? [job.left.type, job.right.type] : [...new Set(job.steps.map((step) => step.type))];
    const shape = job.kind === 'window'
      ? job.window.type === 'session' ? `session, gap ${job.window.gap}` : job.window.type === 'hopping' ? `hopping ${job.window.size} every ${job.window.advance}` : `tumbling ${job.window.size}`
      : job.kind === 'join' ? `${job.left.key} = ${job.right.key} within ${job.within}` : `${job.steps.length} steps within ${job.within}`;
    return { name: job.name, kind: job.kind, description: job.description, enabled: job.enabled, events, shape, lateness: job.allowed_lateness, output: job.output?.kafka ? `kafka:${job.output.kafka.topic}` : null, watermark: watermarks[job.name] ?? null, rows };
  });
}
