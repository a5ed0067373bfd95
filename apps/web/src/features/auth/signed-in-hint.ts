/** '1' while this browser has a sign-in (no secret: the cookie is the credential, and scripts cannot read it). */
const SIGNED_IN_HINT_KEY = 'hubbub.signed-in';

/**
 * Whether this browser was signed in when last seen; null when storage is
 * unavailable (then the server is asked every time). The first-page script
 * reads it too, to cover the server-rendered form for someone signed in.
 */
export const signedInHint = {
  read(): boolean | null {
    try {
      return localStorage.getItem(SIGNED_IN_HINT_KEY) === '1';
    } catch {
      return null;
    }
  },
  write(signedIn: boolean): void {
    try {
      if (signedIn) localStorage.setItem(SIGNED_IN_HINT_KEY, '1');
      else localStorage.removeItem(SIGNED_IN_HINT_KEY);
    } catch {
      // Storage disabled: read() says "unknown" and the server is asked.
    }
  },
};
