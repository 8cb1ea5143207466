import { ApiProblem, request } from '../api.ts';
import { h, show } from '../dom.ts';
import { signIn, type Identity } from '../session.ts';

/** Sign in with an API key; the key is checked against the API before it is kept (for this tab only). */
export async function signInPage(main: HTMLElement, _params: string[], signedIn: () => void) {
  const key = h('input', { type: 'password', id: 'api-key', name: 'api-key', autocomplete: 'current-password', required: true });
  const message = h('p', { role: 'status' });
  const form = h(
    'form',
    {
      class: 'stack',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        show(message, 'Checking the key…');
        message.className = 'muted';
        try {
          const { body } = await request<Identity>('/console/session', { key: key.value.trim() });
          signIn(key.value.trim(), body);
          signedIn();
        } catch (error) {
          message.className = 'notice error';
          show(message, error instanceof ApiProblem && error.status === 401 ? 'That key is not valid or has been revoked.' : (error as Error).message);
        }
      },
    },
    h('label', { for: 'api-key' }, 'API key'),
    key,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    message,
  );
  show(
    main,
    h(
      'section',
      { class: 'card signin', 'aria-label': 'Sign in' },
      h('h1', {}, 'Sign in to Flywheel'),
      h(
        'p',
        { class: 'muted' },
        'Use an API key with the read scope; deploy unlocks changing splits and acting on alerts. Locally the admin key is in .data/admin-key. The key stays in this browser tab only.',
      ),
      form,
    ),
  );
  key.focus();
}
