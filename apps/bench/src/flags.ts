/** A sibling bench program's `--name=value` flags (a bare `--name` is 'true'). */
export function parseFlags(argv: string[] = process.argv.slice(2)): Record<string, string> {
  return Object.fromEntries(
    argv.map((arg) => {
      const [key, value] = arg.replace(/^--/, '').split('=');
      return [key as string, value ?? 'true'];
    }),
  );
}

/** `--name`'s value `raw` as a whole number of at least `min` (`fallback` when absent); anything else ends the run. */
export function wholeNumberFlag(name: string, raw: string | undefined, fallback: number, min: number): number {
  const value = Number(raw ?? fallback);
  if (Number.isInteger(value) && value >= min) return value;
  console.error(`--${name} takes a whole number, ${min} or more`);
  process.exit(1);
}
