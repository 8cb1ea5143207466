export const percent = (rate: number | null | undefined, digits = 1) => (rate === null || rate === undefined || !Number.isFinite(rate) ? '—' : `${(rate * 100).toFixed(digits)}%`);
export const ms = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`);
export const num = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : Math.abs(value) >= 1000 || Number.isInteger(value) ? value.toLocaleString('en') : Number(value.toPrecision(3)).toString();
export const pValue = (value: number | null | undefined) => (value === null || value === undefined ? '—' : value < 0.0001 ? '< 0.0001' : value.toFixed(4));
export const time = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' }) : '—');
export const target = (v: { model: string; version?: number; alias?: string }) => `${v.model}@${v.version ?? v.alias}`;
