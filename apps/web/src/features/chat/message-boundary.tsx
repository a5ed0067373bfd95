import { Component, type ReactNode } from 'react';

interface MessageBoundaryProps {
  /** The message text: when it changes (a reply streams on, an edit lands) formatting is tried again. */
  text: string;
  children: ReactNode;
}

interface MessageBoundaryState {
  text: string;
  failed: boolean;
}

/**
 * If formatting one message throws (say the parser overflows the stack), that
 * message is shown as the text it is, with a note, and the rest of the page
 * carries on. The fallback renders nothing that could throw again.
 */
export class MessageBoundary extends Component<MessageBoundaryProps, MessageBoundaryState> {
  state: MessageBoundaryState = { text: this.props.text, failed: false };

  static getDerivedStateFromProps(props: MessageBoundaryProps, state: MessageBoundaryState) {
    return props.text === state.text ? null : { text: props.text, failed: false };
  }

  static getDerivedStateFromError(): Partial<MessageBoundaryState> {
    return { failed: true };
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="md md-plain" data-plain="failed">
        <p>{this.props.text}</p>
        <p className="md-plain-note" data-testid="plain-text-note">
          This message could not be formatted
        </p>
      </div>
    );
  }
}
