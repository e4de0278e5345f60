/**
 * What a transformation's SELECT reads, derived from its Postgres parse tree (libpg-query's JSON):
 * the data sources it names, the source columns each output column is computed from (column-level
 * lineage), and whatever stops it from running incrementally. Pure: the tree comes in, no I/O.
 * docs/adr/0035-batch-transformations.md has the rules and their limits.
 *
 * Scoping follows Postgres: a name in FROM is first a CTE of the query level it is in or of an
 * enclosing level, then a data source of the project; a schema-qualified name, or a name that is
 * neither, is refused. A column reference is looked up in the FROM items of its own level, then of
 * the enclosing levels (correlated subqueries).
 *
 * Lineage of an expression: every column it reads (through aliases, CTEs, subqueries, set
 * operations, function calls, CASE, casts, scalar subqueries), plus for a window function the
 * columns of its PARTITION BY and ORDER BY, plus for an aggregate of a grouped query the GROUP BY
 * columns (the group an aggregate is computed over is part of what it is computed from). WHERE,
 * JOIN … ON and HAVING filter rows; they are not lineage.
 */

/** One source column: the data source's registered name and the column's name in it. */
export interface SourceColumnRef {
  source: string;
  column: string;
}

export interface OutputLineage {
  /** The output column's name as Postgres would name it (alias, column name or function name). */
  name: string;
  from: SourceColumnRef[];
}

export interface Analysis {
  /** The data sources the SQL names, in order of first appearance. */
  sources: string[];
  /** One entry per output column, in output order. */
  columns: OutputLineage[];
  /** false when a `*` could not be expanded (a function in FROM): column positions are then unknown. */
  complete: boolean;
  /** Why the SQL may not run incrementally (empty: it may). */
  notIncremental: string[];
}

/** A name or rule the SQL breaks; `at` is a byte offset into the SQL when known. */
export class AnalysisError extends Error {
  constructor(
    message: string,
    readonly at: number | undefined,
  ) {
    super(message);
  }
}

type Node = Record<string, unknown>;
type Deps = Set<string>;

interface Column {
  name: string;
  deps: Deps;
}

/** A relation's columns; known = false when they cannot be known from the tree (a function in FROM). */
interface Rel {
  columns: Column[];
  known: boolean;
}

/** A FROM entry: the names it answers to (alias or relation name) and how `*` expands over it. */
interface FromEntry {
  /** Leaf items with a name: `alias.col` and `alias.*` resolve against these. */
  items: { alias: string; rel: Rel }[];
  /** Columns `*` gives for this entry, in order. */
  star: Column[];
  known: boolean;
}

interface Scope {
  ctes: Map<string, Rel>;
  from: FromEntry[];
  parent: Scope | undefined;
  /** The level's GROUP BY columns (added to aggregates' lineage) and named windows. */
  groupDeps: Deps;
  windows: Map<string, Node>;
}

const DEP_SEP = "\u0000";

function depKey(source: string, column: string): string {
  return `${source}${DEP_SEP}${column}`;
}

/** Aggregate functions (lower-case last name part): their lineage gains the GROUP BY columns. */
const AGGREGATES = new Set([
  "count",
  "sum",
  "avg",
  "min",
  "max",
  "array_agg",
  "string_agg",
  "json_agg",
  "jsonb_agg",
  "json_object_agg",
  "jsonb_object_agg",
  "bool_and",
  "bool_or",
  "every",
  "bit_and",
  "bit_or",
  "stddev",
  "stddev_pop",
  "stddev_samp",
  "variance",
  "var_pop",
  "var_samp",
  "corr",
  "covar_pop",
  "covar_samp",
  "regr_slope",
  "regr_intercept",
  "regr_count",
  "regr_r2",
  "percentile_cont",
  "percentile_disc",
  "mode",
  "any_value",
]);

/**
 * Functions whose result changes from one run to the next (volatile, or the time of the run): an
 * incremental run would compute different rows than a full refresh.
 */
const NONDETERMINISTIC = new Set([
  "random",
  "random_normal",
  "setseed",
  "now",
  "clock_timestamp",
  "statement_timestamp",
  "transaction_timestamp",
  "timeofday",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "uuidv4",
  "uuidv7",
  "txid_current",
  "pg_backend_pid",
]);

/** SQL value functions that read the clock (CURRENT_TIMESTAMP …): the rest (CURRENT_USER …) are fixed per role. */
const CLOCK_VALUE_FUNCTIONS = /^SVFOP_(CURRENT_DATE|CURRENT_TIME|CURRENT_TIMESTAMP|LOCALTIME|LOCALTIMESTAMP)/;

/**
 * Analyses the one SELECT of a transformation. `sources` maps each data source name of the project
 * to its columns, or to null when they are not known yet (a first pass that only collects names).
 * Throws AnalysisError for a qualified name or a name that is not a source.
 */
export function analyzeSelect(
  select: Node,
  sources: ReadonlyMap<string, readonly string[] | null>,
): Analysis {
  const used: string[] = [];
  const notIncremental = new Set<string>();

  function sourceRel(name: string): Rel {
    const columns = sources.get(name);
    if (!used.includes(name)) used.push(name);
    if (!columns) return { columns: [], known: false };
    return { columns: columns.map((c) => ({ name: c, deps: new Set([depKey(name, c)]) })), known: true };
  }

  function findCte(scope: Scope | undefined, name: string): Rel | undefined {
    for (let s = scope; s; s = s.parent) {
      const hit = s.ctes.get(name);
      if (hit) return hit;
    }
    return undefined;
  }

  /** A SELECT (plain, set operation or VALUES) in the scope it is nested in. */
  function selectRel(stmt: Node, outer: Scope | undefined): Rel {
    const scope: Scope = {
      ctes: new Map(),
      from: [],
      parent: outer,
      groupDeps: new Set(),
      windows: new Map(),
    };
    checkIncremental(stmt);
    const withClause = asNode(stmt.withClause);
    if (withClause) {
      const recursive = withClause.recursive === true;
      for (const item of asList(withClause.ctes)) {
        const cte = asNode(asNode(item)?.CommonTableExpr);
        if (!cte) continue;
        const name = String(cte.ctename);
        const query = selectOf(cte.ctequery);
        if (!query) throw new AnalysisError(`WITH ${name} must be a SELECT`, locationOf(cte));
        if (recursive && query.op !== "SETOP_NONE" && query.op !== undefined) {
          // The non-recursive part first, so the recursive part can read the CTE itself.
          const seed = selectOf(query.larg);
          if (seed) scope.ctes.set(name, renamed(selectRel(seed, scope), cte.aliascolnames));
        }
        scope.ctes.set(name, renamed(selectRel(query, scope), cte.aliascolnames));
      }
    }

    if (stmt.op && stmt.op !== "SETOP_NONE") {
      const left = selectOf(stmt.larg);
      const right = selectOf(stmt.rarg);
      if (!left || !right) return { columns: [], known: false };
      const l = selectRel(left, scope);
      const r = selectRel(right, scope);
      return {
        columns: l.columns.map((c, i) => ({
          name: c.name,
          deps: union(c.deps, r.columns[i]?.deps ?? new Set()),
        })),
        known: l.known && r.known,
      };
    }

    const values = asList(stmt.valuesLists);
    if (values.length > 0) {
      const rows = values.map((row) => asList(asNode(row)?.List ? asNode(asNode(row)?.List)?.items : row));
      const width = rows[0]?.length ?? 0;
      const columns: Column[] = [];
      for (let i = 0; i < width; i++) {
        const deps = new Set<string>();
        for (const row of rows) for (const d of exprDeps(row[i], scope, false)) deps.add(d);
        columns.push({ name: `column${i + 1}`, deps });
      }
      return { columns, known: true };
    }

    for (const item of asList(stmt.fromClause)) scope.from.push(fromEntry(item, scope));
    for (const g of asList(stmt.groupClause))
      for (const d of exprDeps(g, scope, false)) scope.groupDeps.add(d);
    for (const w of asList(stmt.windowClause)) {
      const def = asNode(asNode(w)?.WindowDef);
      if (def && typeof def.name === "string") scope.windows.set(def.name, def);
    }

    const columns: Column[] = [];
    let known = true;
    for (const target of asList(stmt.targetList)) {
      const res = asNode(asNode(target)?.ResTarget);
      if (!res) continue;
      const val = asNode(res.val);
      const ref = asNode(val?.ColumnRef);
      const fields = ref ? asList(ref.fields) : [];
      if (ref && fields.some((f) => asNode(f)?.A_Star !== undefined)) {
        const star = expandStar(fields, scope, ref);
        if (!star.known) known = false;
        columns.push(...star.columns);
        continue;
      }
      const name = typeof res.name === "string" ? res.name : figureName(val);
      columns.push({ name, deps: exprDeps(val, scope, false) });
    }
    // Filters and sort keys are not lineage, but their subqueries name sources and their calls may
    // stop incremental runs: walk them too.
    for (const part of [stmt.whereClause, stmt.havingClause, stmt.sortClause, stmt.distinctClause])
      exprDeps(part, scope, false);
    return { columns, known };
  }

  function expandStar(fields: unknown[], scope: Scope, ref: Node): Rel {
    const qualifier = fields.length >= 2 ? stringOf(fields[fields.length - 2]) : undefined;
    if (qualifier === undefined) {
      const columns = scope.from.flatMap((e) => e.star);
      return { columns: columns.map(copy), known: scope.from.every((e) => e.known) };
    }
    for (const entry of scope.from) {
      const item = entry.items.find((i) => i.alias === qualifier);
      if (item) return { columns: item.rel.columns.map(copy), known: item.rel.known };
    }
    throw new AnalysisError(`missing FROM-clause entry for "${qualifier}"`, locationOf(ref));
  }

  function fromEntry(raw: unknown, scope: Scope): FromEntry {
    const node = asNode(raw) ?? {};
    const rangeVar = asNode(node.RangeVar);
    if (rangeVar)
      return leaf(aliasOf(rangeVar) ?? String(rangeVar.relname), relationOf(rangeVar, scope), rangeVar);
    const sample = asNode(node.RangeTableSample);
    if (sample) return fromEntry(sample.relation, scope);
    const sub = asNode(node.RangeSubselect);
    if (sub) {
      const query = selectOf(sub.subquery);
      const rel = query ? selectRel(query, scope) : { columns: [], known: false };
      const alias = asNode(sub.alias);
      return leaf(alias ? String(alias.aliasname) : "", renamed(rel, alias?.colnames), sub);
    }
    const fn = asNode(node.RangeFunction);
    if (fn) {
      // Columns of a set-returning function are not in the tree; what it reads is its arguments.
      const deps = exprDeps(fn.functions, scope, false);
      const alias = asNode(fn.alias);
      const names = asList(alias?.colnames).map(stringOf);
      const rel: Rel = {
        columns: names.map((n) => ({ name: n ?? "?column?", deps: new Set(deps) })),
        known: names.length > 0,
      };
      return leaf(alias ? String(alias.aliasname) : "", rel, fn);
    }
    const join = asNode(node.JoinExpr);
    if (join) {
      const left = fromEntry(join.larg, scope);
      const right = fromEntry(join.rarg, scope);
      exprDeps(join.quals, { ...scope, from: [...scope.from, left, right] }, false);
      const using = asList(join.usingClause)
        .map(stringOf)
        .filter((s): s is string => s !== undefined);
      if (join.isNatural === true) {
        const rightNames = new Set(right.star.map((c) => c.name));
        for (const c of left.star) if (rightNames.has(c.name) && !using.includes(c.name)) using.push(c.name);
      }
      const merged: Column[] = using.map((name) => ({
        name,
        deps: union(
          left.star.find((c) => c.name === name)?.deps ?? new Set(),
          right.star.find((c) => c.name === name)?.deps ?? new Set(),
        ),
      }));
      const rest = (e: FromEntry) => e.star.filter((c) => !using.includes(c.name));
      const star = [...merged, ...rest(left), ...rest(right)];
      const items = [...left.items, ...right.items];
      const known = left.known && right.known;
      const alias = asNode(join.alias);
      if (alias)
        items.push({
          alias: String(alias.aliasname),
          rel: renamed({ columns: star, known }, alias.colnames),
        });
      return { items, star, known };
    }
    throw new AnalysisError(`unsupported FROM item ${Object.keys(node)[0] ?? "(empty)"}`, locationOf(node));
  }

  function relationOf(rv: Node, scope: Scope): Rel {
    const name = String(rv.relname);
    if (typeof rv.schemaname === "string" || typeof rv.catalogname === "string") {
      const full = [rv.catalogname, rv.schemaname, name].filter((x) => typeof x === "string").join(".");
      throw new AnalysisError(
        `"${full}" is a qualified table name; a transformation reads the project's data sources by their registered name`,
        locationOf(rv),
      );
    }
    const cte = findCte(scope, name);
    if (cte) return cte;
    if (!sources.has(name))
      throw new AnalysisError(`"${name}" is not a data source of this project`, locationOf(rv));
    return sourceRel(name);
  }

  /** The columns an expression reads. `inAggregate`: inside an aggregate's arguments already. */
  function exprDeps(root: unknown, scope: Scope, inAggregate: boolean): Deps {
    const deps = new Set<string>();
    const stack: unknown[] = [root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (Array.isArray(node)) {
        stack.push(...node);
        continue;
      }
      const n = asNode(node);
      if (!n) continue;
      const ref = asNode(n.ColumnRef);
      if (ref) {
        for (const d of columnDeps(ref, scope)) deps.add(d);
        continue;
      }
      const sub = asNode(n.SubLink);
      if (sub) {
        const query = selectOf(sub.subselect);
        if (query) for (const c of selectRel(query, scope).columns) for (const d of c.deps) deps.add(d);
        stack.push(sub.testexpr);
        continue;
      }
      if (n.SelectStmt !== undefined) continue;
      const call = asNode(n.FuncCall);
      if (call) {
        checkFunction(call);
        const name = lastName(call.funcname);
        const over = asNode(call.over);
        if (over && typeof over.name === "string" && !over.partitionClause && !over.orderClause) {
          const named = scope.windows.get(over.name);
          if (named) stack.push(named.partitionClause, named.orderClause);
        }
        if (!over && !inAggregate && name !== undefined && AGGREGATES.has(name))
          for (const d of scope.groupDeps) deps.add(d);
      }
      const svf = asNode(n.SQLValueFunction);
      if (svf && typeof svf.op === "string" && CLOCK_VALUE_FUNCTIONS.test(svf.op))
        notIncremental.add("it reads the clock (CURRENT_TIMESTAMP, CURRENT_DATE, …)");
      for (const child of Object.values(n))
        if (typeof child === "object" && child !== null) stack.push(child);
    }
    return deps;
  }

  function columnDeps(ref: Node, scope: Scope): Deps {
    const fields = asList(ref.fields).map(stringOf);
    if (fields.some((f) => f === undefined)) return new Set();
    const names = fields as string[];
    const column = names[names.length - 1] as string;
    const qualifier = names.length >= 2 ? names[names.length - 2] : undefined;
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      for (const entry of s.from) {
        for (const item of entry.items) {
          if (qualifier !== undefined && item.alias !== qualifier) continue;
          const hit = item.rel.columns.find((c) => c.name === column);
          if (hit) return new Set(hit.deps);
        }
        if (qualifier === undefined) {
          const hit = entry.star.find((c) => c.name === column);
          if (hit) return new Set(hit.deps);
        }
      }
      // A whole-row reference (`t` alone) reads every column of t.
      if (qualifier === undefined)
        for (const entry of s.from) {
          const item = entry.items.find((i) => i.alias === column);
          if (item) return new Set(item.rel.columns.flatMap((c) => [...c.deps]));
        }
    }
    return new Set();
  }

  function checkFunction(call: Node): void {
    const name = lastName(call.funcname);
    if (name !== undefined && NONDETERMINISTIC.has(name))
      notIncremental.add(`it calls ${name}(), whose result changes from run to run`);
  }

  function checkIncremental(stmt: Node): void {
    if (stmt.limitCount || stmt.limitOffset)
      notIncremental.add("it has LIMIT, OFFSET or FETCH (which rows it keeps depends on all of them)");
    const distinct = asList(stmt.distinctClause);
    if (distinct.length > 0 && asNode(distinct[0]) && Object.keys(asNode(distinct[0]) ?? {}).length > 0)
      notIncremental.add("it has DISTINCT ON (which row it keeps per key may change between runs)");
    for (const item of asList(stmt.fromClause))
      if (containsKey(item, "RangeTableSample")) notIncremental.add("it samples a table (TABLESAMPLE)");
  }

  const result = selectRel(select, undefined);
  const columns = result.columns.map((c) => ({
    name: c.name,
    from: [...c.deps].sort().map((d) => {
      const [source = "", column = ""] = d.split(DEP_SEP);
      return { source, column };
    }),
  }));
  return { sources: used, columns, complete: result.known, notIncremental: [...notIncremental] };
}

/** Postgres's name for an unaliased output column (FigureColname, the common cases). */
function figureName(val: Node | undefined): string {
  if (!val) return "?column?";
  const ref = asNode(val.ColumnRef);
  if (ref) return stringOf(asList(ref.fields).at(-1)) ?? "?column?";
  const call = asNode(val.FuncCall);
  if (call) return lastName(call.funcname) ?? "?column?";
  const cast = asNode(val.TypeCast);
  if (cast) {
    const inner = figureName(asNode(cast.arg));
    if (inner !== "?column?") return inner;
    const type = asNode(cast.typeName);
    return lastName(type?.names) ?? "?column?";
  }
  if (val.CaseExpr) return "case";
  const coalesce = asNode(val.CoalesceExpr);
  if (coalesce) return "coalesce";
  const minmax = asNode(val.MinMaxExpr);
  if (minmax) return minmax.op === "IS_GREATEST" ? "greatest" : "least";
  if (val.NullIfExpr) return "nullif";
  const sub = asNode(val.SubLink);
  if (sub) {
    if (sub.subLinkType === "EXISTS_SUBLINK") return "exists";
    if (sub.subLinkType === "ARRAY_SUBLINK") return "array";
    const query = selectOf(sub.subselect);
    const first = asNode(asNode(asList(query?.targetList)[0])?.ResTarget);
    if (sub.subLinkType === "EXPR_SUBLINK" && first)
      return typeof first.name === "string" ? first.name : figureName(asNode(first.val));
  }
  if (val.A_ArrayExpr) return "array";
  if (val.RowExpr) return "row";
  return "?column?";
}

function renamed(rel: Rel, colnames: unknown): Rel {
  const names = asList(colnames).map(stringOf);
  if (names.length === 0) return rel;
  return {
    columns: rel.columns.map((c, i) => ({ name: names[i] ?? c.name, deps: c.deps })),
    known: rel.known,
  };
}

function leaf(alias: string, rel: Rel, _at: Node): FromEntry {
  return { items: alias ? [{ alias, rel }] : [], star: rel.columns, known: rel.known };
}

function aliasOf(rv: Node): string | undefined {
  const alias = asNode(rv.alias);
  return alias && typeof alias.aliasname === "string" ? alias.aliasname : undefined;
}

function copy(c: Column): Column {
  return { name: c.name, deps: new Set(c.deps) };
}

function union(a: Deps, b: Deps): Deps {
  return new Set([...a, ...b]);
}

function selectOf(node: unknown): Node | undefined {
  const n = asNode(node);
  if (!n) return undefined;
  return asNode(n.SelectStmt) ?? (n.targetList || n.op || n.valuesLists ? n : undefined);
}

function containsKey(root: unknown, key: string): boolean {
  const stack: unknown[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (Array.isArray(node)) stack.push(...node);
    else if (typeof node === "object" && node !== null) {
      if (key in node) return true;
      stack.push(...Object.values(node));
    }
  }
  return false;
}

function lastName(parts: unknown): string | undefined {
  return stringOf(asList(parts).at(-1))?.toLowerCase();
}

function stringOf(node: unknown): string | undefined {
  const s = asNode(asNode(node)?.String);
  return typeof s?.sval === "string" ? s.sval : undefined;
}

function locationOf(node: Node | undefined): number | undefined {
  return typeof node?.location === "number" && node.location >= 0 ? node.location : undefined;
}

function asNode(value: unknown): Node | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
