// Callbacks are what the providers and the gateway stream through; some callers (a chat
// panel's `for await`) read better with an async iterable. This bridges the two without
// losing anything: every delta is yielded before the failure, if any, is thrown.

export interface DeltaStream<R> {
  /** Each piece of text, in order; throws the call's error after the last piece that arrived. */
  readonly deltas: AsyncIterable<string>;
  /** The call's result (or error), whether or not `deltas` is read. */
  readonly result: Promise<R>;
}

export function streamDeltas<R>(run: (onDelta: (text: string) => void) => Promise<R>): DeltaStream<R> {
  const queue: string[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };

  const result = run((text) => {
    queue.push(text);
    notify();
  });
  result.then(
    () => {
      finished = true;
      notify();
    },
    (error: unknown) => {
      failure = { error };
      finished = true;
      notify();
    },
  );

  async function* iterate(): AsyncGenerator<string> {
    for (;;) {
      if (queue.length > 0) {
        yield queue.shift()!;
        continue;
      }
      if (finished) {
        if (failure !== undefined) throw failure.error;
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  return { deltas: iterate(), result };
}
