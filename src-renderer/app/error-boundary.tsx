import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Button } from '../components/button.tsx';

interface Props {
  children: ReactNode;
  /** Changing it clears a caught error (e.g. the route, so navigating away recovers). */
  resetKey?: string;
}

interface State {
  error: Error | null;
}

/** Catches a screen that crashed while rendering and offers a way out instead of a blank window. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('A screen crashed:', error, info.componentStack);
  }

  override componentDidUpdate(prev: Props): void {
    if (this.state.error && prev.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="pw-fullpage">
        <div className="pw-fullpage-card" role="alert">
          <h1>Something went wrong on this screen</h1>
          <p>Your workflows and data are safe. Try again, or go back to the workflow list.</p>
          <pre className="pw-cli" style={{ whiteSpace: 'pre-wrap' }}>
            {error.message}
          </pre>
          <div style={{ display: 'flex', gap: 'var(--pw-space-2)' }}>
            <Button variant="primary" onClick={() => this.setState({ error: null })}>
              Try again
            </Button>
            <Button
              onClick={() => {
                window.location.hash = '#/workflows';
                this.setState({ error: null });
              }}
            >
              Go to workflows
            </Button>
          </div>
        </div>
      </div>
    );
  }
}
