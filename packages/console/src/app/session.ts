/** The signed-in key lives in this tab's session storage only: closing the tab signs out. */
const STORAGE_KEY = 'flywheel.apiKey';

export type Scope = 'predict' | 'read' | 'deploy' | 'admin';

export interface Identity {
  id: string;
  name: string;
  scopes: Scope[];
}

let identity: Identity | undefined;

export const storedKey = () => sessionStorage.getItem(STORAGE_KEY) ?? undefined;
export const currentIdentity = () => identity;

export function signIn(key: string, who: Identity): void {
  sessionStorage.setItem(STORAGE_KEY, key);
  identity = who;
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  identity = undefined;
}

export function setIdentity(who: Identity): void {
  identity = who;
}

/** The API's rule: `admin` implies every scope. */
export function can(scope: Scope): boolean {
  return Boolean(identity && (identity.scopes.includes(scope) || identity.scopes.includes('admin')));
}

/** Props that disable a control the key's scopes do not allow, saying why (shown, not failing). */
export function needs(scope: Scope): { disabled?: true; title?: string } {
  return can(scope) ? {} : { disabled: true, title: `Needs an API key with the ${scope} scope` };
}
