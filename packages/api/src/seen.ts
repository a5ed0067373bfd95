/** A stored event of a stream: its offset in the stream, and the change. */
export interface Stored<C> {
  offset: number;
  change: C;
}

/** A bus event as one stream sees it (StreamSource.classify): a stored change, a live signal, or one to skip. */
export type Seen<C, S> =
  | { kind: 'change'; event: Stored<C> }
  | { kind: 'signal'; signal: S }
  | { kind: 'skip'; offset: number };
