import './zod-jitless';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { appTree } from './app';
import { session } from './features/auth/session';
import { TEMPLATE_IDS } from './first-page/handoff';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const page = root;

/**
 * React takes the page over from the first-page script (index.html, built by
 * prerender.ts): once its attempt in flight has settled, with the mode and
 * values the person left. It hydrates the server-rendered form when that is
 * what it would render itself (signed out, no notice), and replaces the page
 * otherwise (signed in meanwhile, the splash, the dev server's empty root).
 */
async function takeOver(): Promise<void> {
  const first = await window.hubbubFirstPage?.takeOver();
  if (first?.grant) session.signIn(first.grant);
  const view = session.view.get();
  const tree = appTree(first);
  if (first?.formOnPage && view.status === 'signed-out' && view.notice === null) {
    hydrateRoot(page, tree);
  } else {
    page.replaceChildren();
    createRoot(page).render(tree);
  }
  for (const id of Object.values(TEMPLATE_IDS)) document.getElementById(id)?.remove();
}

void takeOver();
