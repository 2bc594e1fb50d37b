import { Component, type ReactNode } from 'react';

/** A devtools bug must never take the host app down: show it in the panel instead. */
export class DevtoolsErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (this.state.error) return <p role="alert">The Kalphite devtools failed: {this.state.error.message}</p>;
    return this.props.children;
  }
}
