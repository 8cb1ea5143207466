import type { AlertKind } from '@flywheel/core';
import { get, query, request } from '../api.ts';
import { card, h, show, table } from '../dom.ts';
import { num, time } from '../format.ts';
import type { Alert, EndpointView } from '../model.ts';
import { needs } from '../session.ts';

const KINDS: AlertKind[] = ['drift', 'quality', 'error_rate', 'latency'];

/** Alerts filtered by status, endpoint and kind; acknowledge and resolve where the key may. */
export async function alertsPage(main: HTMLElement) {
  const { endpoints } = await get<{ endpoints: EndpointView[] }>('/v1/endpoints');
  const select = (id: string, label: string, options: string[]) =>
    h('select', { id, 'aria-label': label }, h('option', { value: '' }, `Any ${label.toLowerCase()}`), ...options.map((o) => h('option', { value: o }, o)));
  const status = select('alert-status', 'Status', ['open', 'acknowledged', 'resolved']);
  const endpoint = select(
    'alert-endpoint',
    'Endpoint',
    endpoints.map((e) => e.endpoint),
  );
  const kind = select('alert-kind', 'Kind', KINDS);
  status.value = 'open';
  const list = h('div');
  const message = h('p', { role: 'status' });

  const act = async (alert: Alert, verb: 'acknowledge' | 'resolve') => {
    try {
      const { body } = await request<Alert>(`/v1/alerts/${alert.id}/${verb}`, { method: 'POST' });
      message.className = 'notice';
      show(message, `Alert on ${body.endpoint} (${body.kind}${body.feature ? ` ${body.feature}` : ''}) is ${body.status}.`);
    } catch (error) {
      message.className = 'notice error';
      show(message, (error as Error).message);
    }
    await refresh();
  };

  const refresh = async () => {
    const { alerts } = await get<{ alerts: Alert[] }>(`/v1/alerts${query({ status: status.value, endpoint: endpoint.value, limit: 500 })}`);
    const shown = alerts.filter((a) => !kind.value || a.kind === kind.value);
    show(
      list,
      shown.length
        ? table(
            ['Status', 'Endpoint', 'Kind', 'Column', 'Value', 'Threshold', 'Summary', 'Opened', ''],
            shown.map((a) => [
              h('span', { class: `badge ${a.status}` }, a.status),
              h('a', { href: `#/endpoints/${encodeURIComponent(a.endpoint)}` }, a.endpoint),
              a.kind,
              a.feature ?? '',
              num(a.value),
              num(a.threshold),
              a.summary,
              time(a.openedAt),
              h(
                'div',
                { class: 'row' },
                a.status === 'open'
                  ? h(
                      'button',
                      {
                        type: 'button',
                        ...needs('deploy'),
                        'aria-label': `Acknowledge ${a.kind} alert${a.feature ? ` on ${a.feature}` : ''}`,
                        onclick: () => void act(a, 'acknowledge'),
                      },
                      'Acknowledge',
                    )
                  : null,
                a.status !== 'resolved'
                  ? h(
                      'button',
                      { type: 'button', ...needs('deploy'), 'aria-label': `Resolve ${a.kind} alert${a.feature ? ` on ${a.feature}` : ''}`, onclick: () => void act(a, 'resolve') },
                      'Resolve',
                    )
                  : null,
              ),
            ]),
            { numeric: [4, 5], label: 'Alerts' },
          )
        : h('p', { class: 'muted' }, 'No alerts match.'),
    );
  };
  for (const filter of [status, endpoint, kind]) filter.addEventListener('change', () => void refresh());
  show(main, h('h1', {}, 'Alerts'), card('Filter', h('div', { class: 'row' }, status, endpoint, kind)), message, card('Alerts', list));
  await refresh();
}
