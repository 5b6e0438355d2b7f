/**
 * `target.push(...items)` passes every item as an argument, which overflows the call stack from
 * about 100,000 items (a file ingested as one batch has far more). This appends in a loop.
 */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
