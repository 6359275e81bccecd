/**
 * Writes that need not go alone. Each `add` waits until the batch that holds it is written,
 * so a caller still answers only once its item is stored; but the items that arrive while a
 * batch is being written go together in the next one, in one statement and one commit,
 * instead of one each. A lone item is written at once: batching adds no wait, it only takes
 * what queues up under load.
 */
export class Batcher<Item> {
  private pending: { item: Item; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: Item[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  add(item: Item): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          await this.write(batch.map((entry) => entry.item));
          for (const entry of batch) entry.resolve();
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
