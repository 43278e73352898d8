// Slow-start batches (upstream slowStartBatch): call fn `count` times in batches of 1, 2, 4, …
// running each batch in parallel, and stop after the first batch with an error, so a quota or
// admission failure costs one request instead of hundreds.

export async function slowStartBatch(count: number, initialBatchSize: number,
  fn: (i: number) => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  let index = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    let error: Error | undefined;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else error ??= r.reason instanceof Error ? r.reason : new Error(String(r.reason));
    }
    if (error) return { successes, error };
    remaining -= batch;
  }
  return { successes };
}
