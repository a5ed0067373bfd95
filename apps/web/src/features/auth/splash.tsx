/** While the page asks the server who is signed in: calm, and never the login screen for someone who is. */
export function Splash({ error, onRetry }: { error: string | null; onRetry(): void }) {
  if (error) {
    return (
      <main className="splash" role="alert" data-testid="splash">
        <h1>Can’t reach Hubbub</h1>
        <p>{error}</p>
        <div className="row">
          <button type="button" className="button primary" onClick={onRetry}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  return (
    <main className="splash" aria-busy="true" data-testid="splash">
      <div className="brand brand-large">
        <span className="brand-mark" aria-hidden="true" />
        Hubbub
      </div>
      <p>Loading…</p>
    </main>
  );
}
