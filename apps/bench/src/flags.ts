/** A sibling bench program's `--name=value` flags (a bare `--name` is 'true'). */
export function parseFlags(argv: string[] = process.argv.slice(2)): Record<string, string> {
  return Object.fromEntries(
    argv.map((arg) => {
      const [key, value] = arg.replace(/^--/, '').split('=');
      return [key as string, value ?? 'true'];
    }),
  );
}
