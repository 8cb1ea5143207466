import { get } from '../api.ts';
import { card, h, show, table } from '../dom.ts';
import { ms, percent } from '../format.ts';
import type { Alert, EndpointView } from '../model.ts';
import { driftOver } from '../monitoring.ts';
import { splitBar } from '../split-picture.ts';

const REFRESH_MS = 5_000;
const DAY = 86_400_000;

/** Every endpoint with its split, the last 24 h of traffic and its open alerts, refreshed live. */
export async function overviewPage(main: HTMLElement) {
  const body = h('div');
  const updated = h('p', { class: 'muted', role: 'status' });
  show(main, h('h1', {}, 'Endpoints'), updated, body);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const refresh = async () => {
    const [{ endpoints }, { alerts }] = await Promise.all([get<{ endpoints: EndpointView[] }>('/v1/endpoints'), get<{ alerts: Alert[] }>('/v1/alerts?status=open&limit=1000')]);
    const now = Date.now();
    const health = await Promise.all(endpoints.map((e) => driftOver(e.endpoint, now - DAY, now).then((d) => d?.health)));
    if (stopped) return;
    if (endpoints.length === 0) {
      show(body, card('No endpoints yet', h('p', {}, 'Create one with PUT /v1/endpoints/{name} or `npx flywheel endpoints deploy`.')));
    } else {
      show(
        body,
        card(
          `${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}`,
          table(
            ['Endpoint', 'Split', 'Config', 'Requests (24 h)', 'Error rate', 'p95 latency', 'Open alerts'],
            endpoints.map((e, i) => {
              const open = alerts.filter((a) => a.endpoint === e.endpoint).length;
              return [
                h('a', { href: `#/endpoints/${encodeURIComponent(e.endpoint)}` }, e.endpoint),
                splitBar(e.config.variants),
                `v${e.configVersion}`,
                health[i] ? health[i]!.requests.toLocaleString('en') : '—',
                health[i] ? percent(health[i]!.errorRate, 2) : '—',
                health[i] ? ms(health[i]!.p95) : '—',
                open ? h('a', { href: `#/alerts`, class: 'bad' }, String(open)) : '0',
              ];
            }),
            { numeric: [3, 4, 5, 6], label: 'Endpoints' },
          ),
        ),
      );
    }
    show(updated, `Updated ${new Date().toLocaleTimeString('en-GB')} · refreshes every ${REFRESH_MS / 1000} s`);
  };
  const loop = async () => {
    await refresh().catch((error: Error) => show(updated, h('span', { class: 'bad' }, `Could not refresh: ${error.message}`)));
    if (!stopped) timer = setTimeout(loop, REFRESH_MS);
  };
  await refresh();
  timer = setTimeout(loop, REFRESH_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
