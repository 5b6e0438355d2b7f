/** An unknown command is the user's to fix: one line, the closest command, exit 1 (not 2). */
import type { Hook } from '@oclif/core';
import { closestMatch } from '../config/did-you-mean.js';

const hook: Hook<'command_not_found'> = async function (options) {
  const ids = options.config.commandIDs.map((id) => id.replaceAll(':', ' '));
  const words = options.id.split(/[: ]/);
  const typed = words[0] ?? options.id;
  // Compare each command with as many leading words as it has (the rest are arguments).
  const suggestion = ids
    .map((id) => ({ id, typed: words.slice(0, id.split(' ').length).join(' ') }))
    .map((candidate) => ({ ...candidate, match: closestMatch(candidate.typed, [candidate.id]) }))
    .find((candidate) => candidate.match !== undefined)?.id;
  process.stderr.write(`Error: "${typed}" is not an analytics command.\nHint: ${suggestion ? `Did you mean "analytics ${suggestion}"? ` : ''}See: analytics --help\n`);
  process.exit(1);
};

export default hook;
