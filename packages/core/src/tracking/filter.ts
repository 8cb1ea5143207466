import { invalidParameter } from './model.ts';

/**
 * MLflow's search filter: comparisons joined by AND, e.g.
 * `metrics.rmse < 0.3 AND params.model = 'tree' AND tags."mlflow.user" LIKE 'a%' AND attributes.status = 'FINISHED'`.
 * A key is an identifier (dots allowed, as in `tags.mlflow.runName`) or quoted with "…" or `…`.
 */
export type FilterEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export type Comparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

export interface FilterClause {
  readonly entity: FilterEntity;
  readonly key: string;
  readonly comparator: Comparator;
  readonly value: string | number | readonly string[];
}

const ENTITY_NAMES: Record<string, FilterEntity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'quoted'; text: string; quote: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'op'; text: string }
  | { kind: 'punct'; text: '(' | ')' | ',' | '.' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const end = input.indexOf(ch, i + 1);
      if (end < 0) throw invalidParameter(`Invalid filter '${input}': unterminated ${ch}.`);
      tokens.push({ kind: 'quoted', text: input.slice(i + 1, end), quote: ch });
      i = end + 1;
    } else if ('(),.'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch as '(' | ')' | ',' | '.' });
      i++;
    } else if ('<>=!'.includes(ch)) {
      const two = input.slice(i, i + 2);
      const op = ['<=', '>=', '!=', '=='].includes(two) ? two : ch;
      if (op === '!') throw invalidParameter(`Invalid filter '${input}': '!' must be '!='.`);
      tokens.push({ kind: 'op', text: op === '==' ? '=' : op });
      i += op.length;
    } else {
      const match = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![\w.])|[A-Za-z_][\w]*)/.exec(input.slice(i));
      if (!match) throw invalidParameter(`Invalid filter '${input}': unexpected '${ch}' at ${i}.`);
      const text = match[0];
      if (/^[A-Za-z_]/.test(text)) tokens.push({ kind: 'word', text });
      else tokens.push({ kind: 'number', value: Number(text), text });
      i += text.length;
    }
  }
  return tokens;
}

/**
 * Parses a filter string; an empty one matches everything. Throws INVALID_PARAMETER_VALUE on
 * anything it cannot read. `bareAttributes` may be named without `attributes.`, as MLflow writes
 * experiment and registry filters (`name LIKE 'churn%'`).
 */
export function parseFilter(input: string | undefined, options: { bareAttributes?: readonly string[] } = {}): FilterClause[] {
  const text = (input ?? '').trim();
  if (!text) return [];
  const parser = new Parser(text, options.bareAttributes ?? []);
  const clauses: FilterClause[] = [];
  while (!parser.done()) {
    if (clauses.length > 0) parser.expectAnd();
    const { entity, key } = parser.subject();
    const comparator = parser.comparator();
    clauses.push({ entity, key, comparator, value: parser.value(entity, key, comparator) });
  }
  return clauses;
}

/** `<entity>.<key>` alone, as an order_by clause names what it sorts by. */
export function parseSubject(input: string): { entity: FilterEntity; key: string } {
  const parser = new Parser(input.trim());
  const subject = parser.subject();
  if (!parser.done()) parser.fail('only one key may be named');
  return subject;
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly bareAttributes: readonly string[] = [],
  ) {
    this.tokens = tokenize(text);
  }

  done(): boolean {
    return this.i >= this.tokens.length;
  }

  fail(why: string): never {
    throw invalidParameter(`Invalid filter '${this.text}': ${why}.`);
  }

  private next(): Token {
    return this.tokens[this.i++] ?? this.fail('it ends too early');
  }

  expectAnd(): void {
    const and = this.next();
    if (and.kind !== 'word' || and.text.toUpperCase() !== 'AND') this.fail(`expected AND, found '${and.text}' (only AND joins comparisons)`);
  }

  subject(): { entity: FilterEntity; key: string } {
    const head = this.next();
    if (head.kind !== 'word') return this.fail(`expected an entity such as metrics., params., tags. or attributes., found '${head.text}'`);
    const following = this.tokens[this.i];
    if (this.bareAttributes.includes(head.text.toLowerCase()) && !(following?.kind === 'punct' && following.text === '.'))
      return { entity: 'attribute', key: head.text.toLowerCase() };
    const entity = ENTITY_NAMES[head.text.toLowerCase()] ?? this.fail(`'${head.text}' is not one of metrics, params, tags, attributes, datasets`);
    const dot = this.next();
    if (dot.kind !== 'punct' || dot.text !== '.') this.fail(`expected '.' after '${head.text}'`);
    return { entity, key: this.key() };
  }

  private key(): string {
    const first = this.next();
    if (first.kind === 'quoted') {
      if (first.quote === "'") this.fail('quote a key with " or `, not with \'');
      return first.text;
    }
    if (first.kind !== 'word') return this.fail(`expected a key, found '${first.text}'`);
    // Unquoted keys may contain dots: tags.mlflow.source.git.commit.
    let key = first.text;
    for (
      let dot = this.tokens[this.i], word = this.tokens[this.i + 1];
      dot?.kind === 'punct' && dot.text === '.' && word?.kind === 'word';
      dot = this.tokens[this.i], word = this.tokens[this.i + 1]
    ) {
      key += `.${word.text}`;
      this.i += 2;
    }
    return key;
  }

  comparator(): Comparator {
    const token = this.next();
    if (token.kind === 'op') return token.text as Comparator;
    if (token.kind === 'word') {
      const word = token.text.toUpperCase();
      if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') return word;
      if (word === 'NOT') {
        const inWord = this.next();
        if (inWord.kind === 'word' && inWord.text.toUpperCase() === 'IN') return 'NOT IN';
      }
    }
    return this.fail(`expected a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN), found '${token.text}'`);
  }

  value(entity: FilterEntity, key: string, comparator: Comparator): FilterClause['value'] {
    if (comparator === 'IN' || comparator === 'NOT IN') return this.list(entity, key, comparator);
    const token = this.next();
    if (isNumeric(entity, key)) {
      if (comparator === 'LIKE' || comparator === 'ILIKE') this.fail(`${comparator} does not apply to the number ${entity}s.${key}`);
      if (token.kind !== 'number') return this.fail(`${entity}s.${key} compares with a number, found '${token.text}'`);
      return token.value;
    }
    if (token.kind !== 'quoted' || token.quote === '`') return this.fail(`${entity}s.${key} compares with a quoted string, found '${token.text}'`);
    if (!['=', '!=', 'LIKE', 'ILIKE'].includes(comparator)) this.fail(`${entity}s.${key} is a string: use =, !=, LIKE or ILIKE`);
    return token.text;
  }

  private list(entity: FilterEntity, key: string, comparator: Comparator): string[] {
    if (!(entity === 'dataset' || (entity === 'attribute' && ['run_id', 'run_name', 'status', 'user_id'].includes(normalAttribute(key))))) {
      this.fail(`${comparator} applies to attributes.run_id, run_name, status, user_id and datasets only`);
    }
    const open = this.next();
    if (open.kind !== 'punct' || open.text !== '(') this.fail(`${comparator} takes a list in parentheses`);
    const values: string[] = [];
    for (;;) {
      const item = this.next();
      if (item.kind !== 'quoted' || item.quote === '`') return this.fail(`${comparator} lists quoted strings`);
      values.push(item.text);
      const separator = this.next();
      if (separator.kind === 'punct' && separator.text === ')') return values;
      if (separator.kind !== 'punct' || separator.text !== ',') this.fail(`expected ',' or ')' in the ${comparator} list`);
    }
  }
}

/** Whether values of this key are numbers: metrics and the time attributes. */
export function isNumeric(entity: FilterEntity, key: string): boolean {
  return entity === 'metric' || (entity === 'attribute' && NUMERIC_ATTRIBUTES.has(normalAttribute(key)));
}

const NUMERIC_ATTRIBUTES = new Set(['start_time', 'end_time', 'creation_time', 'last_update_time']);

/** MLflow accepts camelCase attribute names too (`attributes.startTime`). */
export function normalAttribute(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** SQL LIKE: % any run, _ one character; ILIKE ignores case. */
export function likeMatches(value: string, pattern: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replaceAll('%', '.*')
    .replaceAll('_', '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** Whether a value (undefined: the run lacks that key) satisfies a comparison. */
export function compareValue(actual: string | number | undefined, comparator: Comparator, expected: FilterClause['value']): boolean {
  if (actual === undefined) return false;
  if (Array.isArray(expected)) {
    const inList = expected.includes(String(actual));
    return comparator === 'IN' ? inList : !inList;
  }
  switch (comparator) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case 'LIKE':
      return likeMatches(String(actual), String(expected), false);
    case 'ILIKE':
      return likeMatches(String(actual), String(expected), true);
    default:
      return false;
  }
}
