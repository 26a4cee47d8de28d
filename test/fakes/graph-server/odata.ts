// The part of OData the fake needs: a $filter parser (eq/ne/lt/le/gt/ge, startsWith/endsWith/contains, and/or/not,
// parentheses, '' inside a string literal) and its evaluation, with the documented traps available as options.
export type Literal = string | number | boolean | null;
export type Filter =
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'not'; expr: Filter }
  | { op: 'cmp'; cmp: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; field: string; value: Literal }
  | { op: 'fn'; fn: 'startswith' | 'endswith' | 'contains'; field: string; value: string };

export class ODataError extends Error {}

type Token = { t: 'id'; v: string } | { t: 'str'; v: string } | { t: 'num'; v: number } | { t: '(' } | { t: ')' } | { t: ',' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i += 1;
    else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: c });
      i += 1;
    } else if (c === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw new ODataError('Unterminated string literal in $filter.');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += text[i];
        i += 1;
      }
      tokens.push({ t: 'str', v: value });
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (!m) throw new ODataError(`Syntax error at position ${i} in $filter.`);
      tokens.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_/.]*/.exec(text.slice(i))!;
      tokens.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else throw new ODataError(`Syntax error: character '${c}' at position ${i} in $filter.`);
  }
  return tokens;
}

const CMP = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const FNS = new Set(['startswith', 'endswith', 'contains']);

/** Parses a $filter; throws ODataError on anything it cannot read (Graph answers 400 then). */
export function parseFilter(text: string): Filter {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const token = tokens[pos++];
    if (!token) throw new ODataError('Unexpected end of $filter.');
    return token;
  };
  const expect = (t: Token['t']) => {
    const token = next();
    if (token.t !== t) throw new ODataError(`Syntax error in $filter: expected '${t}'.`);
    return token;
  };
  const keyword = (word: string) => {
    const token = peek();
    return token?.t === 'id' && token.v.toLowerCase() === word;
  };
  const literal = (): Literal => {
    const token = next();
    if (token.t === 'str' || token.t === 'num') return token.v;
    if (token.t === 'id' && ['true', 'false', 'null'].includes(token.v)) return token.v === 'null' ? null : token.v === 'true';
    throw new ODataError('Syntax error in $filter: a literal was expected.');
  };
  const orExpr = (): Filter => {
    let left = andExpr();
    while (keyword('or')) {
      pos += 1;
      left = { op: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): Filter => {
    let left = unary();
    while (keyword('and')) {
      pos += 1;
      left = { op: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Filter => {
    if (keyword('not')) {
      pos += 1;
      return { op: 'not', expr: unary() };
    }
    const token = next();
    if (token.t === '(') {
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (token.t !== 'id') throw new ODataError('Syntax error in $filter.');
    if (peek()?.t === '(' && FNS.has(token.v.toLowerCase())) {
      pos += 1;
      const field = (expect('id') as { v: string }).v;
      expect(',');
      const value = next();
      if (value.t !== 'str') throw new ODataError(`${token.v} takes a string literal.`);
      expect(')');
      return { op: 'fn', fn: token.v.toLowerCase() as 'startswith', field, value: value.v };
    }
    const cmp = next();
    if (cmp.t !== 'id' || !CMP.has(cmp.v.toLowerCase())) throw new ODataError(`Syntax error in $filter after '${token.v}'.`);
    return { op: 'cmp', cmp: cmp.v.toLowerCase() as 'eq', field: token.v, value: literal() };
  };
  const filter = orExpr();
  if (pos !== tokens.length) throw new ODataError('Syntax error in $filter: unexpected text after the expression.');
  return filter;
}

export function fieldsOf(filter: Filter): Array<{ field: string; value: Literal }> {
  switch (filter.op) {
    case 'and':
    case 'or':
      return [...fieldsOf(filter.left), ...fieldsOf(filter.right)];
    case 'not':
      return fieldsOf(filter.expr);
    default:
      return [{ field: filter.field, value: filter.value }];
  }
}

export interface FilterTraps {
  /** Fields whose filters Graph ignores: a filter naming one returns every device. */
  ignoredFields: ReadonlySet<string>;
  /** An empty string value makes Graph ignore the whole filter. */
  emptyValueIgnored: boolean;
  /** startsWith behaves like contains. */
  startsWithActsAsContains: boolean;
  /** In `a or b` only `a` is applied. */
  orAppliesFirstOnly: boolean;
}

/** True when Graph would drop the whole filter and return everything. */
export function filterIgnored(filter: Filter, traps: FilterTraps): boolean {
  return fieldsOf(filter).some(({ field, value }) => traps.ignoredFields.has(field) || (traps.emptyValueIgnored && value === ''));
}

const fold = (v: unknown) => String(v ?? '').normalize('NFC').toLowerCase();

export function matches(filter: Filter, obj: Record<string, unknown>, traps: FilterTraps): boolean {
  switch (filter.op) {
    case 'and':
      return matches(filter.left, obj, traps) && matches(filter.right, obj, traps);
    case 'or':
      return traps.orAppliesFirstOnly ? matches(filter.left, obj, traps) : matches(filter.left, obj, traps) || matches(filter.right, obj, traps);
    case 'not':
      return !matches(filter.expr, obj, traps);
    case 'fn': {
      const have = fold(obj[filter.field]);
      const want = fold(filter.value);
      if (filter.fn === 'contains' || (filter.fn === 'startswith' && traps.startsWithActsAsContains)) return have.includes(want);
      return filter.fn === 'startswith' ? have.startsWith(want) : have.endsWith(want);
    }
    case 'cmp': {
      const raw = obj[filter.field];
      const [have, want] = typeof filter.value === 'string' ? [fold(raw), fold(filter.value)] : [raw ?? null, filter.value];
      switch (filter.cmp) {
        case 'eq':
          return have === want;
        case 'ne':
          return have !== want;
        case 'lt':
          return want !== null && have !== null && have < want;
        case 'le':
          return want !== null && have !== null && have <= want;
        case 'gt':
          return want !== null && have !== null && have > want;
        case 'ge':
          return want !== null && have !== null && have >= want;
      }
    }
  }
}

/** The one indexed `field eq 'value'` the filter requires (at top level or under `and`), for a fast candidate set. */
export function indexedEquality(filter: Filter, indexed: ReadonlySet<string>): { field: string; value: string } | undefined {
  if (filter.op === 'cmp' && filter.cmp === 'eq' && indexed.has(filter.field) && typeof filter.value === 'string') return { field: filter.field, value: filter.value };
  if (filter.op === 'and') return indexedEquality(filter.left, indexed) ?? indexedEquality(filter.right, indexed);
  return undefined;
}

/** $select applied to one object; `id` is always kept, as Graph does. */
export function project(obj: Record<string, unknown>, select: readonly string[] | undefined): Record<string, unknown> {
  if (!select) return obj;
  const out: Record<string, unknown> = { id: obj.id };
  for (const key of select) if (key in obj) out[key] = obj[key];
  return out;
}
