/** Platform status: ingest daemon, live feed, last pipeline run, data checks, lake version. */
import { Box, Text } from 'ink';
import type { StatusData } from '../../data/types.js';
import type { FeedState } from '../../../streams/feed-client.js';
import { clock, fit } from '../text.js';

export function feedLine(feed: FeedState | null): { text: string; color?: string } {
  if (!feed) return { text: 'not connected (one frame)', color: 'gray' };
  switch (feed.state) {
    case 'live': return { text: `live${feed.status ? ` · ${feed.status.eventsPerSecond} ev/s` : ''}${feed.streams.length ? ` · ${feed.streams.length} streams` : ''}`, color: 'green' };
    case 'stale': return { text: `stale since ${feed.since ? clock(feed.since) : '?'} · reconnecting`, color: 'yellow' };
    case 'connecting': return { text: 'connecting…', color: 'yellow' };
    case 'absent': return { text: 'no feed (no daemon serves one)', color: 'gray' };
  }
}

export function StatusPanel({ data, feed, width, height }: { data: StatusData; feed: FeedState | null; width: number; height: number }) {
  const label = (text: string) => fit(text, 10);
  const daemon = data.daemon;
  const feedInfo = feedLine(feed);
  const checks = data.checks;
  const lines: Array<{ key: string; label: string; text: string; color?: string }> = [
    daemon
      ? { key: 'ingest', label: 'Ingest', text: `${daemon.state} · ${daemon.eventsPerSecond.toLocaleString('en-US')} ev/s · lag ${daemon.lag === null ? '–' : daemon.lag.toLocaleString('en-US')}`, color: daemon.state === 'running' ? 'green' : 'yellow' }
      : { key: 'ingest', label: 'Ingest', text: data.daemonPort ? `no daemon on :${data.daemonPort}` : 'metrics endpoint off', color: 'gray' },
    { key: 'commit', label: 'Commit', text: daemon?.lastCommitAt ? `last ${clock(new Date(daemon.lastCommitAt))} · lake v${data.lakeVersion ?? '–'}` : `lake v${data.lakeVersion ?? '–'}` },
    { key: 'feed', label: 'Feed', ...feedInfo },
    data.lastRun
      ? { key: 'run', label: 'Pipeline', text: `${data.lastRun.name} ${data.lastRun.status} ${clock(new Date(data.lastRun.at))}`, color: /fail|error/i.test(data.lastRun.status) ? 'red' : 'green' }
      : { key: 'run', label: 'Pipeline', text: 'no pipeline runs', color: 'gray' },
    checks
      ? { key: 'checks', label: 'Checks', text: `${checks.passed} passed${checks.failing.length ? ` · failing: ${checks.failing.join(', ')}` : ''}`, color: checks.failed + checks.errored > 0 ? 'red' : checks.warned > 0 ? 'yellow' : 'green' }
      : { key: 'checks', label: 'Checks', text: 'none declared', color: 'gray' },
  ];
  return (
    <Box flexDirection="column">
      {lines.slice(0, height).map((line) => (
        <Text key={line.key} wrap="truncate">
          <Text dimColor>{label(line.label)}</Text>
          <Text {...(line.color ? { color: line.color } : {})}>{fit(line.text, width - 10)}</Text>
        </Text>
      ))}
    </Box>
  );
}
