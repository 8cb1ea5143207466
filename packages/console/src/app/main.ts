import { request, whenUnauthorized, type ApiProblem } from './api.ts';
import { h, show } from './dom.ts';
import { alertsPage } from './pages/alerts.ts';
import { batchJobsPage } from './pages/batch-jobs.ts';
import { endpointPage } from './pages/endpoint.ts';
import { modelPage, modelsPage } from './pages/models.ts';
import { overviewPage } from './pages/overview.ts';
import { signInPage } from './pages/sign-in.ts';
import { currentIdentity, setIdentity, signOut, storedKey, type Identity } from './session.ts';

/** A page draws into `main` and returns what stops it (timers, charts) when the route changes. */
export type Page = (main: HTMLElement, params: string[]) => Promise<(() => void) | void>;

const routes: Array<[RegExp, Page, string]> = [
  [/^\/?$/, overviewPage, '#/'],
  [/^\/endpoints\/([^/]+)$/, endpointPage, '#/'],
  [/^\/alerts$/, alertsPage, '#/alerts'],
  [/^\/models$/, modelsPage, '#/models'],
  [/^\/batch-jobs$/, batchJobsPage, '#/batch-jobs'],
  [/^\/models\/([^/]+)$/, modelPage, '#/models'],
];

const main = document.getElementById('main')!;
let stopPage: (() => void) | void;
let rendering = 0;

async function route(): Promise<void> {
  const run = ++rendering;
  stopPage?.();
  stopPage = undefined;
  const path = location.hash.replace(/^#/, '') || '/';
  if (!currentIdentity() && !(await restoreSession())) {
    renderIdentity();
    stopPage = await signInPage(main, [], () => void route());
    return;
  }
  renderIdentity();
  const match = routes.map(([pattern, page, nav]) => ({ found: pattern.exec(path), page, nav })).find((r) => r.found);
  for (const link of document.querySelectorAll('header nav a')) link.toggleAttribute('aria-current', false);
  if (!match) {
    show(main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the overview')));
    return;
  }
  document.querySelector(`header nav a[href="${match.nav}"]`)?.setAttribute('aria-current', 'page');
  show(main, h('p', { class: 'muted' }, 'Loading…'));
  try {
    const stop = await match.page(main, match.found!.slice(1).map(decodeURIComponent));
    if (run === rendering) stopPage = stop;
    else stop?.();
  } catch (error) {
    if (run !== rendering) return;
    show(main, h('h1', {}, 'Something went wrong'), h('p', { class: 'notice error', role: 'alert' }, (error as ApiProblem).message));
  }
}

/** A key kept in this tab's session: who it is, or nothing if it no longer works. */
async function restoreSession(): Promise<boolean> {
  const key = storedKey();
  if (!key) return false;
  try {
    setIdentity((await request<Identity>('/console/session', { key })).body);
    return true;
  } catch {
    signOut();
    return false;
  }
}

function renderIdentity(): void {
  const who = currentIdentity();
  const box = document.getElementById('identity')!;
  if (!who) return show(box);
  show(box, h('span', {}, `${who.name} · ${who.scopes.join(', ')}`), h('button', { type: 'button', onclick: () => (signOut(), void route()) }, 'Sign out'));
}

whenUnauthorized(() => {
  signOut();
  void route();
});
window.addEventListener('hashchange', () => void route());
void route();
