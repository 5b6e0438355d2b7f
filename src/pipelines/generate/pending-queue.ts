/**
 * Events that are due later (a transaction's score, a notice, the rest of a burst), ordered by
 * due time and then by insertion so equal times stay deterministic. A binary min-heap; it holds
 * only the next couple of minutes of follow-ups.
 */

interface Entry<T> {
  due: number;
  seq: number;
  item: T;
}

export class PendingQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Due time of the earliest entry, or Infinity when empty. */
  peekDue(): number {
    return this.heap.length > 0 ? this.heap[0]!.due : Number.POSITIVE_INFINITY;
  }

  push(due: number, item: T): void {
    const heap = this.heap;
    heap.push({ due, seq: this.seq++, item });
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  /** Removes and returns the earliest entry's item; the queue must not be empty. */
  pop(): T {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
        index = smallest;
      }
    }
    return top.item;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
