import { describe, expect, it } from "vitest";
import { InvalidError } from "../core/errors";
import { checkQuerySource, DENIED_FUNCTIONS } from "./sandbox";

/** The error checkQuerySource throws for `sql`; fails the test when it accepts it. */
async function refusal(sql: string): Promise<InvalidError> {
  try {
    const text = await checkQuerySource(sql);
    throw new Error(`accepted ${JSON.stringify(sql)} as ${JSON.stringify(text)}`);
  } catch (e) {
    if (!(e instanceof InvalidError)) throw e;
    return e;
  }
}

function expectRefused(error: InvalidError, message: RegExp): void {
  expect(error.field).toBe("query");
  expect(error.code).toBe("INVALID");
  expect(error.message).toMatch(/^query: /);
  expect(error.message).toMatch(message);
}

describe("checkQuerySource accepts one read-only SELECT", () => {
  // [case, sql, returned text]
  const cases: [string, string, string][] = [
    ["a simple select", "select 1", "select 1"],
    [
      "a schema-qualified table",
      "select * from demo.driver_stats where x > 1",
      "select * from demo.driver_stats where x > 1",
    ],
    [
      "an aggregate",
      "select driver_id, avg(trips) from demo.driver_stats group by driver_id having count(*) > 2",
      "select driver_id, avg(trips) from demo.driver_stats group by driver_id having count(*) > 2",
    ],
    [
      "joins",
      "select d.id, s.city from demo.drivers d join demo.driver_stats s on s.driver_id = d.id left join demo.cities c using (city)",
      "select d.id, s.city from demo.drivers d join demo.driver_stats s on s.driver_id = d.id left join demo.cities c using (city)",
    ],
    [
      "a CTE",
      "with recent as (select * from demo.driver_stats where ts > now() - interval '1 day') select * from recent",
      "with recent as (select * from demo.driver_stats where ts > now() - interval '1 day') select * from recent",
    ],
    [
      "a recursive CTE",
      "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5) select i from n",
      "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5) select i from n",
    ],
    [
      "set operations",
      "select a from t1 union all select a from t2 except select a from t3 intersect select a from t4",
      "select a from t1 union all select a from t2 except select a from t3 intersect select a from t4",
    ],
    ["VALUES", "values (1, 'a'), (2, 'b')", "values (1, 'a'), (2, 'b')"],
    ["TABLE", "table demo.driver_stats", "table demo.driver_stats"],
    [
      "window functions",
      "select driver_id, rank() over (partition by city order by trips desc), sum(trips) over w from demo.driver_stats window w as (order by ts)",
      "select driver_id, rank() over (partition by city order by trips desc), sum(trips) over w from demo.driver_stats window w as (order by ts)",
    ],
    [
      "a lateral subquery",
      "select d.id, l.trips from demo.drivers d cross join lateral (select trips from demo.driver_stats s where s.driver_id = d.id order by ts desc limit 1) l",
      "select d.id, l.trips from demo.drivers d cross join lateral (select trips from demo.driver_stats s where s.driver_id = d.id order by ts desc limit 1) l",
    ],
    [
      "a set-returning function",
      "select g from generate_series(1, 3) g",
      "select g from generate_series(1, 3) g",
    ],
    [
      "quoted identifiers",
      'select "Driver Id", "select" from "Demo"."Driver Stats"',
      'select "Driver Id", "select" from "Demo"."Driver Stats"',
    ],
    [
      "harmless comments, with a trailing line comment kept",
      "-- latest stats\nselect /* every column */ * from demo.driver_stats -- ; drop table t",
      "-- latest stats\nselect /* every column */ * from demo.driver_stats -- ; drop table t",
    ],
    [
      "semicolons and SQL inside strings",
      "select ';' as sep, 'x; drop table t; --' as s, $$pg_sleep(1); delete from t$$ as d",
      "select ';' as sep, 'x; drop table t; --' as s, $$pg_sleep(1); delete from t$$ as d",
    ],
    [
      "allowed functions, some with pg_ names",
      "select lower(city), date_trunc('day', ts), pg_typeof(a), pg_size_pretty(1024::bigint), xmlparse(content '<a/>') from t",
      "select lower(city), date_trunc('day', ts), pg_typeof(a), pg_size_pretty(1024::bigint), xmlparse(content '<a/>') from t",
    ],
    [
      "columns named like denied functions (only calls are checked)",
      "select t.nextval, lo_bound from t",
      "select t.nextval, lo_bound from t",
    ],
    ["a pg_-named table in a user schema", "select * from demo.pg_like", "select * from demo.pg_like"],
    ["non-ASCII text", "select 'é😀' as s", "select 'é😀' as s"],
    ["a trailing semicolon", "select 1;", "select 1"],
    ["trailing semicolons and whitespace", "  \n select 1 ; ;\n\t", "select 1"],
    ["a comment after the semicolon", "select 1; -- done", "select 1"],
    ["leading semicolons", ";; select 1", "select 1"],
  ];

  it.each(cases)("%s", async (_case, sql, expected) => {
    expect(await checkQuerySource(sql)).toBe(expected);
  });
});

describe("checkQuerySource refuses", () => {
  // [case, sql, message]; positions are 1-based characters.
  const cases: [string, string, RegExp][] = [
    // 1. Empty.
    ["an empty string", "", /^query: must not be empty$/],
    ["whitespace only", "  \n\t ", /^query: must not be empty$/],
    ["comments only", "-- nothing\n/* here */ ;", /^query: must not be empty \(it has only comments\)$/],
    [
      "a NUL character, which would hide the rest from the parser",
      "select 1\u0000; drop table t",
      /must not contain NUL characters \(at position 9\)/,
    ],

    // Syntax errors, with the parser's message and position.
    ["a syntax error at the start", "selec 1", /^query: syntax error at or near "selec" \(at position 1\)$/],
    ["a syntax error later on", "select 1 frm t", /^query: syntax error at or near "t" \(at position 14\)$/],
    [
      "a syntax error after non-ASCII text",
      "select 'éé' selec 1",
      /syntax error at or near "1" \(at position 19\)/,
    ],
    [
      "an unterminated string",
      "select 'abc",
      /unterminated quoted string at or near "'abc" \(at position 8\)/,
    ],

    // 2. Exactly one statement.
    [
      "two statements",
      "select 1; select 2",
      /must be exactly one statement, found 2 \(the second starts at position 11\)/,
    ],
    ["three statements", "select 1; select 2; select 3", /must be exactly one statement, found 3/],
    [
      "a statement after a block comment",
      "select 1 /* x */; drop table t",
      /must be exactly one statement, found 2 \(the second starts at position 19\)/,
    ],
    [
      "a statement hidden after a line comment",
      "select 1 -- x\n; delete from t",
      /must be exactly one statement, found 2 \(the second starts at position 17\)/,
    ],

    // 3. Only a SELECT.
    ["COPY TO PROGRAM", "copy t to program 'id'", /^query: only a SELECT is allowed, got COPY$/],
    ["SET ROLE", "set role postgres", /only a SELECT is allowed, got SET ROLE$/],
    ["SET", "set statement_timeout = 0", /only a SELECT is allowed, got SET$/],
    ["RESET", "reset all", /only a SELECT is allowed, got RESET$/],
    ["SHOW", "show all", /only a SELECT is allowed, got SHOW$/],
    ["INSERT", "insert into t values (1)", /only a SELECT is allowed, got INSERT$/],
    ["UPDATE", "update t set a = 1", /only a SELECT is allowed, got UPDATE$/],
    ["DELETE", "delete from t", /only a SELECT is allowed, got DELETE$/],
    [
      "MERGE",
      "merge into t using s on t.a = s.a when matched then delete",
      /only a SELECT is allowed, got MERGE$/,
    ],
    ["CREATE TABLE", "create table x (a int)", /only a SELECT is allowed, got CREATE TABLE$/],
    ["CREATE TABLE AS", "create table x as select 1", /only a SELECT is allowed, got CREATE TABLE AS$/],
    ["CREATE FUNCTION", "create function f() returns int language sql as 'select 1'", /got CREATE FUNCTION$/],
    ["DROP", "drop table t", /only a SELECT is allowed, got DROP$/],
    ["ALTER TABLE", "alter table t add column b int", /only a SELECT is allowed, got ALTER TABLE$/],
    ["ALTER SYSTEM", "alter system set work_mem = '1GB'", /only a SELECT is allowed, got ALTER SYSTEM$/],
    ["DO", "do $$ begin end $$", /only a SELECT is allowed, got DO$/],
    ["CALL", "call p()", /only a SELECT is allowed, got CALL$/],
    ["EXPLAIN", "explain select 1", /only a SELECT is allowed, got EXPLAIN$/],
    [
      "EXPLAIN ANALYZE of a DELETE",
      "explain analyze delete from t",
      /only a SELECT is allowed, got EXPLAIN$/,
    ],
    ["LOCK", "lock table t", /only a SELECT is allowed, got LOCK$/],
    ["TRUNCATE", "truncate t", /only a SELECT is allowed, got TRUNCATE$/],
    ["GRANT", "grant select on t to public", /only a SELECT is allowed, got GRANT$/],
    ["REVOKE", "revoke select on t from public", /only a SELECT is allowed, got REVOKE$/],
    ["VACUUM", "vacuum t", /only a SELECT is allowed, got VACUUM$/],
    ["BEGIN", "begin", /only a SELECT is allowed, got BEGIN$/],
    ["NOTIFY", "notify ch", /only a SELECT is allowed, got NOTIFY$/],

    // 4. Data-modifying statements, SELECT INTO, locking and parameters anywhere in the tree.
    [
      "DELETE in a CTE",
      "with d as (delete from t returning *) select * from d",
      /^query: data-modifying DELETE is not allowed in a query source \(at position 6\)$/,
    ],
    [
      "INSERT in a CTE",
      "with i as (insert into t values (1) returning *) select 1",
      /data-modifying INSERT is not allowed in a query source \(at position 6\)/,
    ],
    [
      "UPDATE in a CTE",
      "with u as (update t set a = 1 returning a) select * from u",
      /data-modifying UPDATE is not allowed in a query source \(at position 6\)/,
    ],
    [
      "MERGE in a CTE",
      "with m as (merge into t using s on t.a = s.a when matched then delete returning t.*) select * from m",
      /data-modifying MERGE is not allowed in a query source \(at position 6\)/,
    ],
    [
      "DELETE in a CTE of a subquery",
      "select * from (with d as (delete from t returning *) select * from d) s",
      /data-modifying DELETE is not allowed in a query source \(at position 21\)/,
    ],
    [
      "SELECT INTO",
      "select * into newt from t",
      /^query: SELECT \.\.\. INTO is not allowed in a query source \(it creates a table\) \(at position 15\)$/,
    ],
    [
      "SELECT INTO in a set-op arm",
      "select 1 union select * into x from t",
      /SELECT \.\.\. INTO is not allowed .* \(at position 30\)/,
    ],
    [
      "FOR UPDATE",
      "select * from t for update",
      /^query: locking clause FOR UPDATE is not allowed in a query source$/,
    ],
    ["FOR SHARE", "select * from t for share", /locking clause FOR SHARE is not allowed/],
    [
      "FOR NO KEY UPDATE in a subquery",
      "select * from (select * from t for no key update) s",
      /locking clause FOR NO KEY UPDATE is not allowed/,
    ],
    [
      "FOR KEY SHARE in a sublink",
      "select * from t where a in (select b from u for key share)",
      /locking clause FOR KEY SHARE is not allowed/,
    ],
    [
      "a parameter",
      "select $1",
      /^query: parameters \(\$1\) are not allowed in a query source \(at position 8\)$/,
    ],
    [
      "a parameter in a WHERE",
      "select * from t where a = $2",
      /parameters \(\$2\) are not allowed in a query source \(at position 27\)/,
    ],

    // 5. Denied functions, anywhere.
    [
      "pg_read_file",
      "select pg_read_file('/etc/passwd')",
      /^query: function pg_read_file is not allowed in a query source \(at position 8\)$/,
    ],
    [
      "pg_read_binary_file",
      "select pg_read_binary_file('/etc/passwd')",
      /function pg_read_binary_file is not allowed/,
    ],
    [
      "set_config",
      "select set_config('role','postgres',false)",
      /function set_config is not allowed in a query source \(at position 8\)/,
    ],
    [
      "current_setting",
      "select current_setting('data_directory')",
      /function current_setting is not allowed/,
    ],
    [
      "pg_sleep",
      "select pg_sleep(20)",
      /function pg_sleep is not allowed in a query source \(at position 8\)/,
    ],
    [
      "schema-qualified upper-case pg_sleep",
      "select PG_CATALOG.PG_SLEEP(1)",
      /function pg_sleep is not allowed in a query source \(at position 8\)/,
    ],
    ["quoted pg_sleep", 'select "pg_catalog"."pg_sleep"(1)', /function pg_sleep is not allowed/],
    [
      "pg_sleep spelled with a Unicode escape",
      'select U&"pg\\005fsleep"(1)',
      /function pg_sleep is not allowed/,
    ],
    [
      "query_to_xml",
      "select query_to_xml('select * from users', true, true, '')",
      /function query_to_xml is not allowed/,
    ],
    [
      "ts_stat, which runs a query string",
      "select * from ts_stat('select to_tsvector(b) from t')",
      /function ts_stat is not allowed in a query source \(at position 15\)/,
    ],
    [
      "dblink in FROM",
      "select * from dblink('x','y') as t(a int)",
      /function dblink is not allowed in a query source \(at position 15\)/,
    ],
    ["lo_import", "select lo_import('/etc/passwd')", /function lo_import is not allowed/],
    ["nextval", "select nextval('s')", /function nextval is not allowed/],
    [
      "pg_ls_dir in FROM",
      "select * from pg_ls_dir('.')",
      /function pg_ls_dir is not allowed in a query source \(at position 15\)/,
    ],
    [
      "pg_sleep in a lateral subquery",
      "select * from t, lateral (select pg_sleep(1)) s",
      /function pg_sleep is not allowed in a query source \(at position 34\)/,
    ],
    [
      "txid_current in a CTE",
      "with x as (select txid_current()) select * from x",
      /function txid_current is not allowed in a query source \(at position 19\)/,
    ],
    [
      "pg_notify in a UNION arm",
      "select 1 union all select pg_notify('c', 'm')",
      /function pg_notify is not allowed in a query source \(at position 27\)/,
    ],
    [
      "pg_terminate_backend as a function argument",
      "select coalesce(null, pg_terminate_backend(1))",
      /function pg_terminate_backend is not allowed in a query source \(at position 23\)/,
    ],
    [
      "pg_advisory_lock in a WHERE subquery",
      "select * from t where exists (select 1 where pg_advisory_lock(1) is null)",
      /function pg_advisory_lock is not allowed/,
    ],
    [
      "pg_sleep in ORDER BY",
      "select * from t order by pg_sleep(1)",
      /function pg_sleep is not allowed in a query source \(at position 26\)/,
    ],
    [
      "a denied call after non-ASCII text (characters, not bytes)",
      "select 'é', pg_sleep(1)",
      /function pg_sleep is not allowed in a query source \(at position 13\)/,
    ],

    // 6. System catalogs.
    [
      "pg_catalog.pg_authid",
      "select * from pg_catalog.pg_authid",
      /^query: system catalog pg_catalog\.pg_authid is not readable from a query source \(at position 15\)$/,
    ],
    [
      "upper-case PG_CATALOG.PG_AUTHID",
      "select * from PG_CATALOG.PG_AUTHID",
      /system catalog pg_catalog\.pg_authid is not readable/,
    ],
    [
      "pg_shadow",
      "select * from pg_shadow",
      /system catalog pg_shadow is not readable from a query source \(at position 15\)/,
    ],
    [
      "information_schema.tables",
      "select * from information_schema.tables",
      /system catalog information_schema\.tables is not readable/,
    ],
    [
      "pg_toast",
      "select * from pg_toast.pg_toast_1255",
      /system catalog pg_toast\.pg_toast_1255 is not readable/,
    ],
    ["pg_user", "select usename from pg_user", /system catalog pg_user is not readable/],
    [
      "pg_stat_activity",
      "select query from pg_stat_activity",
      /system catalog pg_stat_activity is not readable/,
    ],
    [
      "pg_roles in a join",
      "select * from t join pg_roles r on r.rolname = t.owner",
      /system catalog pg_roles is not readable from a query source \(at position 22\)/,
    ],
    [
      "pg_class in a scalar subquery",
      "select (select count(*) from pg_class)",
      /system catalog pg_class is not readable/,
    ],
    [
      "TABLE pg_authid",
      "table pg_authid",
      /system catalog pg_authid is not readable from a query source \(at position 7\)/,
    ],

    // Several problems: the earliest in the text is named.
    [
      "the earliest of several problems",
      "select pg_sleep(1) from pg_authid where a = $1",
      /function pg_sleep is not allowed in a query source \(at position 8\)/,
    ],
  ];

  it.each(cases)("%s", async (_case, sql, message) => {
    expectRefused(await refusal(sql), message);
  });

  it("a query long or nested enough to overflow the WASM parser's stack never reaches it", async () => {
    expectRefused(
      await refusal(`select ${Array(50_000).fill("1").join("+")}`),
      /^query: is 100006 characters long; a query source may have at most 10000$/,
    );
    expectRefused(
      await refusal(`select ${"(select ".repeat(101)}1${")".repeat(101)}`),
      /^query: nests parentheses deeper than 100 levels \(at position 808\)$/,
    );
    // Just inside both bounds: parsed, and the parser still answers afterwards.
    const deep = `select ${"(select ".repeat(100)}1${")".repeat(100)}`;
    expect(await checkQuerySource(deep)).toBe(deep);
    const long = `select ${Array(4_990).fill("1").join("+")}`;
    expect(long.length).toBeLessThanOrEqual(10_000);
    expect(await checkQuerySource(long)).toBe(long);
    expect(await checkQuerySource("select 1")).toBe("select 1");
  });
});

describe("DENIED_FUNCTIONS", () => {
  // Every function the deny list is meant to cover, called bare: each is refused by name.
  const denied = [
    "pg_sleep",
    "pg_sleep_for",
    "pg_sleep_until",
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_ls_waldir",
    "pg_stat_file",
    "dblink",
    "dblink_exec",
    "lo_import",
    "lo_export",
    "lo_open",
    "loread",
    "lowrite",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_signal_backend",
    "set_config",
    "current_setting",
    "pg_advisory_lock",
    "pg_advisory_xact_lock_shared",
    "pg_try_advisory_lock",
    "query_to_xml",
    "query_to_xml_and_xmlschema",
    "table_to_xml",
    "cursor_to_xml",
    "schema_to_xml",
    "database_to_xml",
    "pg_notify",
    "pg_logical_emit_message",
    "pg_replication_origin_create",
    "pg_create_restore_point",
    "pg_drop_replication_slot",
    "pg_copy_logical_replication_slot",
    "pg_switch_wal",
    "pg_backup_start",
    "pg_promote",
    "pg_file_write",
    "pg_import_system_collations",
    "txid_current",
    "pg_current_xact_id",
    "nextval",
    "setval",
    "currval",
    "lastval",
    "pg_export_snapshot",
    "pg_wal_replay_pause",
    "pg_stat_reset",
    "pg_stat_reset_shared",
    "pg_log_backend_memory_contexts",
  ];

  it.each(denied)("refuses %s", async (name) => {
    expectRefused(
      await refusal(`select ${name}(1)`),
      new RegExp(`^query: function ${name} is not allowed in a query source \\(at position 8\\)$`),
    );
  });

  it("holds lower-case names and prefixes only", () => {
    for (const entry of DENIED_FUNCTIONS) {
      const source = typeof entry === "string" ? entry : entry.source;
      expect(source).toBe(source.toLowerCase());
    }
  });
});
