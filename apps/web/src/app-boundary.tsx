import { Component, type ReactNode } from 'react';

interface AppBoundaryState {
  failed: boolean;
}

/**
 * The last line of defence: an error no inner boundary caught shows a calm
 * page with a way back (reload) instead of a blank one.
 */
export class AppBoundary extends Component<{ children: ReactNode }, AppBoundaryState> {
  state: AppBoundaryState = { failed: false };

  static getDerivedStateFromError(): AppBoundaryState {
    return { failed: true };
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <main className="app-crash" role="alert" data-testid="app-crash">
        <h1>Something went wrong</h1>
        <p>Hubbub ran into an unexpected error. Reloading the page usually fixes it.</p>
        <button type="button" className="button primary" onClick={() => window.location.reload()}>
          Reload
        </button>
      </main>
    );
  }
}
