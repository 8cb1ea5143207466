import { colorOf } from './charts.ts';
import { h } from './dom.ts';
import { target } from './format.ts';

/** The split as a picture: one bar, a segment per variant as wide as its weight. */
export function splitBar(variants: Array<{ name: string; model: string; version?: number; alias?: string; weight: number }>): HTMLElement {
  const described = variants.map((v) => `${v.name} ${target(v)} ${v.weight}%`).join(', ');
  return h(
    'div',
    { class: 'split-bar', role: 'img', 'aria-label': `Split: ${described}`, title: described },
    ...variants
      .filter((v) => v.weight > 0)
      .map((v, i) => {
        const segment = h('span', {}, `${v.name} ${v.weight}%`);
        segment.style.width = `${v.weight}%`;
        segment.style.background = colorOf(i);
        return segment;
      }),
  );
}
