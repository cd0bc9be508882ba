// An independent look for what is left of a person (or of expired data) after an erasure or a
// retention run, written apart from the code it checks: it imports nothing from packages/core and
// knows no table by name except in its allow-lists. Columns are discovered from the catalogue at
// run time, so a table added later is searched too.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Redis } from "ioredis";
import type postgres from "postgres";

/** What a needle identifies; allow rules name the kinds a place may keep. */
export type NeedleKind =
  | "subject"
  | "template"
  | "enrolment"
  | "photo"
  | "consent"
  | "request"
  | "contactHash"
  | "pseudonym"
  /** A photo file: its storage key, searched by the SHA-256 of its content (the key's hash part). */
  | "photoFile"
  /** A name or contact in clear: never allowed anywhere. */
  | "plaintext";
export type Needle = { kind: NeedleKind; value: string };

export type Store = "postgres" | "storage" | "redis";

/**
 * A place that may legitimately keep some kinds of needles, for a stated reason. `rowsWhere` (SQL
 * over the table's own columns) narrows it to the rows that may stay; the others are residue.
 */
export type AllowRule = {
  store: Store;
  /** postgres: table name; storage: folder prefix of the key; redis: key prefix after the queue prefix. */
  place: string;
  kinds: readonly NeedleKind[];
  rowsWhere?: string;
  reason: string;
};

/** One place where something was found: a column of a table, a file, a Redis key (or hash field). */
export type Finding = {
  store: Store;
  where: string;
  kinds: NeedleKind[];
  /** Rows (postgres) or 1 (a file, a key). */
  count: number;
  /** Why it may stay, or null: residue. */
  allowed: string | null;
};

export type CheckResult = {
  findings: Finding[];
  residue: Finding[];
  allowed: Finding[];
  /** Rows holding something that may not stay (each row once, however many columns match). */
  rows: number;
  byTable: Record<string, number>;
  files: number;
  redisKeys: number;
  columnsSearched: number;
  filesSearched: number;
  keysSearched: number;
};

export type CheckOptions = {
  sql: postgres.Sql;
  needles: readonly Needle[];
  allowed?: readonly AllowRule[];
  /** The file store's root folder. */
  storageRoot?: string;
  redis?: { client: Redis; prefixes: readonly string[] };
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const HEX64 = /[0-9a-f]{64}/g;
const UUID_SQL = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const HEX64_SQL = "[0-9a-f]{64}";
const STORAGE_KEY_HASH = /^[a-z-]+\/[0-9a-f]{2}\/([0-9a-f]{64})\.[a-z]+$/;

/**
 * Needles by how they are searched: uuids and 64-hex tokens (hashes, photo files) are extracted
 * from text and compared exactly, the same as `like '%token%'` but one hash lookup instead of a
 * pattern per needle; free text (pseudonyms, names) by `like`.
 */
type Sorted = {
  uuids: Map<NeedleKind, string[]>;
  hexes: Map<NeedleKind, string[]>;
  texts: Map<NeedleKind, string[]>;
};

function sortNeedles(needles: readonly Needle[]): Sorted {
  const sorted: Sorted = { uuids: new Map(), hexes: new Map(), texts: new Map() };
  const add = (map: Map<NeedleKind, string[]>, kind: NeedleKind, value: string) => {
    const list = map.get(kind) ?? [];
    list.push(value);
    map.set(kind, list);
  };
  for (const { kind, value } of needles) {
    if (!value) throw new Error(`empty ${kind} needle`);
    const lower = value.toLowerCase();
    const fileHash = kind === "photoFile" ? STORAGE_KEY_HASH.exec(lower)?.[1] : undefined;
    if (kind === "photoFile" && !fileHash) throw new Error(`photoFile needle "${value}" is not a storage key`);
    if (fileHash) add(sorted.hexes, kind, fileHash);
    else if (new RegExp(`^${UUID_SQL}$`).test(lower)) add(sorted.uuids, kind, lower);
    else if (new RegExp(`^${HEX64_SQL}$`).test(lower)) add(sorted.hexes, kind, lower);
    else add(sorted.texts, kind, value);
  }
  return sorted;
}

const likePattern = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

type Column = { table: string; column: string; type: "uuid" | "uuid[]" | "text" | "json" };

async function discoverColumns(sql: postgres.Sql): Promise<Column[]> {
  const rows = await sql<{ table_name: string; column_name: string; data_type: string; udt_name: string }[]>`
    select c.table_name, c.column_name, c.data_type, c.udt_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`;
  const columns: Column[] = [];
  for (const row of rows) {
    const type =
      row.udt_name === "uuid"
        ? "uuid"
        : row.udt_name === "_uuid"
          ? "uuid[]"
          : ["text", "varchar", "bpchar", "_text", "_varchar"].includes(row.udt_name)
            ? "text"
            : ["jsonb", "json", "_jsonb", "_json"].includes(row.udt_name)
              ? "json"
              : null;
    if (type) columns.push({ table: row.table_name, column: row.column_name, type });
  }
  return columns;
}

/** A SQL boolean: the column holds one of `values` (a parameter) of this search class. */
function matchExpression(column: Column, kindClass: keyof Sorted, param: string): string | null {
  const col = quoteIdent(column.column);
  if (column.type === "uuid") return kindClass === "uuids" ? `${col} = any(${param}::uuid[])` : null;
  if (column.type === "uuid[]") return kindClass === "uuids" ? `${col} && ${param}::uuid[]` : null;
  // Text, arrays of text and JSON are searched as their text.
  const text = `${col}::text`;
  if (kindClass === "texts") return `${text} like any(${param}::text[])`;
  const [re, length] = kindClass === "uuids" ? [UUID_SQL, 36] : [HEX64_SQL, 64];
  return (
    `(length(${text}) >= ${length} and exists (select 1 from regexp_matches(lower(${text}), '${re}', 'g') m ` +
    `where m[1] = any(${param}::text[])))`
  );
}

async function searchPostgres(sql: postgres.Sql, sorted: Sorted, rules: readonly AllowRule[]) {
  const columns = await discoverColumns(sql);
  const byTable = new Map<string, Column[]>();
  for (const column of columns) byTable.set(column.table, [...(byTable.get(column.table) ?? []), column]);
  const findings: Finding[] = [];
  const residueRows: Record<string, number> = {};
  let columnsSearched = 0;
  for (const [table, tableColumns] of byTable) {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const rule = rules.find((r) => r.store === "postgres" && r.place === table);
    // One expression per (column, kind); counted in one scan of the table.
    const matches: { column: string; kind: NeedleKind; expression: string }[] = [];
    for (const column of tableColumns) {
      let searched = false;
      for (const kindClass of ["uuids", "hexes", "texts"] as const) {
        for (const [kind, values] of sorted[kindClass]) {
          const expression = matchExpression(
            column,
            kindClass,
            param(kindClass === "texts" ? values.map(likePattern) : values),
          );
          if (!expression) {
            params.pop();
            continue;
          }
          searched = true;
          matches.push({ column: column.column, kind, expression });
        }
      }
      if (searched) columnsSearched++;
    }
    if (matches.length === 0) continue;
    const allowedKind = (kind: NeedleKind) => kind !== "plaintext" && (rule?.kinds.includes(kind) ?? false);
    const any = (list: typeof matches) => (list.length ? list.map((m) => m.expression).join(" or ") : "false");
    const disallowed = any(matches.filter((m) => !allowedKind(m.kind)));
    const allowedMatches = any(matches.filter((m) => allowedKind(m.kind)));
    const rowsWhere = rule?.rowsWhere ? `(${rule.rowsWhere})` : "true";
    const aggregates = matches.map(
      (m, i) =>
        `count(*) filter (where ${m.expression}) as m${i}, ` +
        `count(*) filter (where ${m.expression} and ${allowedKind(m.kind) ? rowsWhere : "false"}) as a${i}`,
    );
    const query =
      `select count(*) filter (where (${disallowed}) or ((${allowedMatches}) and not coalesce(${rowsWhere}, false))) as residue, ` +
      `${aggregates.join(", ")} from ${quoteIdent(table)}`;
    // Unnamed statement: planned with the needles as constants, so `= any(...)` is a hash lookup.
    const [counts] = await sql.unsafe(query, params as postgres.ParameterOrJSON<never>[], { prepare: false });
    const residue = Number(counts?.residue ?? 0);
    if (residue > 0) residueRows[table] = residue;
    matches.forEach((m, i) => {
      const found = Number(counts?.[`m${i}`] ?? 0);
      const allowed = Number(counts?.[`a${i}`] ?? 0);
      const where = `${table}.${m.column}`;
      if (allowed > 0)
        findings.push({ store: "postgres", where, kinds: [m.kind], count: allowed, allowed: rule?.reason ?? null });
      if (found > allowed)
        findings.push({ store: "postgres", where, kinds: [m.kind], count: found - allowed, allowed: null });
    });
  }
  return { findings, residueRows, columnsSearched };
}

/** Which kinds of needles a piece of text (a key, a value, a file's content) holds. */
function kindsIn(text: string, lookup: { tokens: Map<string, NeedleKind>; texts: [string, NeedleKind][] }) {
  const kinds = new Set<NeedleKind>();
  const lower = text.toLowerCase();
  for (const re of [UUID, HEX64]) {
    for (const token of lower.match(re) ?? []) {
      const kind = lookup.tokens.get(token);
      if (kind) kinds.add(kind);
    }
  }
  for (const [value, kind] of lookup.texts) if (text.includes(value)) kinds.add(kind);
  return [...kinds];
}

function tokenLookup(sorted: Sorted) {
  const tokens = new Map<string, NeedleKind>();
  for (const map of [sorted.uuids, sorted.hexes])
    for (const [kind, values] of map) for (const v of values) tokens.set(v, kind);
  const texts: [string, NeedleKind][] = [];
  for (const [kind, values] of sorted.texts) for (const v of values) texts.push([v, kind]);
  return { tokens, texts };
}

function verdict(store: Store, place: string, kinds: NeedleKind[], rules: readonly AllowRule[]): string | null {
  const rule = rules.find((r) => r.store === store && place.startsWith(r.place));
  if (!rule || kinds.some((kind) => kind === "plaintext" || !rule.kinds.includes(kind))) return null;
  return rule.reason;
}

async function* walk(root: string, dir = root): AsyncGenerator<string> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(root, path);
    else if (entry.isFile()) yield path;
  }
}

/**
 * Every file in the store: by name (a photo's key), by content (its SHA-256 is a photo's, whatever
 * it is called) and by what its bytes say (ids, hashes, pseudonyms written in a JSON file).
 */
async function searchStorage(root: string, sorted: Sorted, rules: readonly AllowRule[]) {
  const lookup = tokenLookup(sorted);
  const findings: Finding[] = [];
  let filesSearched = 0;
  const paths: string[] = [];
  for await (const path of walk(root)) paths.push(path);
  const inspect = async (path: string) => {
    filesSearched++;
    const key = relative(root, path).split(sep).join("/");
    const bytes = await readFile(path);
    const contentHash = createHash("sha256").update(bytes).digest("hex");
    const kinds = new Set(kindsIn(key, lookup));
    const byContent = lookup.tokens.get(contentHash);
    if (byContent) kinds.add(byContent);
    for (const kind of kindsIn(bytes.toString("latin1"), lookup)) kinds.add(kind);
    if (kinds.size === 0) return;
    const list = [...kinds];
    findings.push({
      store: "storage",
      where: key,
      kinds: list,
      count: 1,
      allowed: verdict("storage", key, list, rules),
    });
  };
  // A few reads at a time: the store can hold tens of thousands of small files.
  for (let i = 0; i < paths.length; i += 64) await Promise.all(paths.slice(i, i + 64).map(inspect));
  return { findings, filesSearched };
}

/** Every key under each prefix, by name and by value, read by its type (a hash field by field). */
async function searchRedis(client: Redis, prefixes: readonly string[], sorted: Sorted, rules: readonly AllowRule[]) {
  const lookup = tokenLookup(sorted);
  const findings: Finding[] = [];
  let keysSearched = 0;
  const report = (key: string, prefix: string, where: string, kinds: NeedleKind[]) => {
    if (kinds.length === 0) return;
    const place = key.slice(prefix.length + 1);
    findings.push({ store: "redis", where, kinds, count: 1, allowed: verdict("redis", place, kinds, rules) });
  };
  for (const prefix of prefixes) {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        keysSearched++;
        const type = await client.type(key);
        const values: [label: string, value: string][] = [];
        if (type === "string") values.push(["", (await client.get(key)) ?? ""]);
        else if (type === "hash")
          for (const [field, value] of Object.entries(await client.hgetall(key))) values.push([field, value]);
        else if (type === "list") for (const value of await client.lrange(key, 0, -1)) values.push(["", value]);
        else if (type === "set") for (const value of await client.smembers(key)) values.push(["", value]);
        else if (type === "zset") for (const value of await client.zrange(key, 0, -1)) values.push(["", value]);
        else if (type === "stream")
          for (const [id, fields] of await client.xrange(key, "-", "+")) values.push([id, fields.join(" ")]);
        const inName = kindsIn(key, lookup);
        const inValues = new Set<NeedleKind>();
        for (const [label, value] of values) {
          const kinds = kindsIn(value, lookup);
          // Hash fields one by one (a job's data, returnvalue, failedReason); other types as a whole key.
          if (type === "hash" && kinds.length) report(key, prefix, `${key} [${label}]`, kinds);
          else for (const kind of kinds) inValues.add(kind);
        }
        report(key, prefix, key, [...new Set([...inName, ...inValues])]);
      }
    } while (cursor !== "0");
  }
  return { findings, keysSearched };
}

/** Searches PostgreSQL, the file store and Redis for every needle; returns every place it found one. */
export async function independentCheck(options: CheckOptions): Promise<CheckResult> {
  const rules = options.allowed ?? [];
  const sorted = sortNeedles(options.needles);
  const pg = await searchPostgres(options.sql, sorted, rules);
  const storage = options.storageRoot
    ? await searchStorage(options.storageRoot, sorted, rules)
    : { findings: [], filesSearched: 0 };
  const redis = options.redis
    ? await searchRedis(options.redis.client, options.redis.prefixes, sorted, rules)
    : { findings: [], keysSearched: 0 };
  const findings = [...pg.findings, ...storage.findings, ...redis.findings];
  const residue = findings.filter((f) => f.allowed === null);
  return {
    findings,
    residue,
    allowed: findings.filter((f) => f.allowed !== null),
    rows: Object.values(pg.residueRows).reduce((sum, n) => sum + n, 0),
    byTable: pg.residueRows,
    files: storage.findings.filter((f) => f.allowed === null).length,
    redisKeys: new Set(redis.findings.filter((f) => f.allowed === null).map((f) => f.where.split(" [")[0])).size,
    columnsSearched: pg.columnsSearched,
    filesSearched: storage.filesSearched,
    keysSearched: redis.keysSearched,
  };
}

/**
 * What may stay after a person's erasure, and why. Everything else that names the person is
 * residue, and a name or contact in clear is residue everywhere.
 */
export const ERASURE_ALLOWED: readonly AllowRule[] = [
  {
    store: "postgres",
    place: "notifications",
    kinds: ["request", "pseudonym"],
    reason: "staff notices: a request's id and reference, a finding's pseudonym label; never a name or contact",
  },
  {
    store: "redis",
    place: "notifications:",
    kinds: ["request"],
    reason: "mail jobs of the person's other requests: ids only, kept 6 h",
  },
  {
    store: "postgres",
    place: "audit_log",
    kinds: ["subject", "template", "enrolment", "photo", "consent", "request", "pseudonym"],
    reason: "append-only, hash-chained audit log: ids and the pseudonym, never a name or contact",
  },
  {
    store: "postgres",
    place: "subjects",
    kinds: ["subject", "pseudonym"],
    rowsWhere: "erased_at is not null and display_name_enc is null and contact_enc is null and birth_year is null",
    reason:
      "the erased person's pseudonym row, so audit entries and certificates resolve; name, contact, birth year gone",
  },
  {
    store: "postgres",
    place: "consents",
    kinds: ["subject", "consent"],
    rowsWhere: "withdrawn_at is not null and guardian_name_enc is null",
    reason: "consent records are evidence of what was lawful when; ended, guardian's name removed",
  },
  {
    store: "postgres",
    place: "dsr_requests",
    kinds: ["subject", "request", "contactHash", "pseudonym"],
    rowsWhere: "status = 'completed' and contact_enc is null",
    reason:
      "the completed request is the record of the erasure and holds its certificate; contact only as a keyed hash",
  },
  {
    store: "postgres",
    place: "dsr_erasures",
    kinds: ["subject", "request", "photoFile"],
    reason: "the erasure's progress record: counts, and the content hashes of the files it removed",
  },
  {
    store: "postgres",
    place: "job_outbox",
    kinds: ["request"],
    rowsWhere: "kind = 'erase' and enqueued_at is not null",
    reason: "the delivered erasure job of the request: its id only",
  },
  {
    store: "postgres",
    place: "compliance_snapshots",
    kinds: ["pseudonym"],
    reason: "compliance snapshots name people by pseudonym only",
  },
  {
    store: "postgres",
    place: "retention_certificates",
    kinds: ["subject", "template", "consent", "pseudonym"],
    reason: "certificate of an earlier deletion by retention",
  },
  {
    store: "storage",
    place: "deletion-certificate/",
    kinds: ["request", "pseudonym"],
    reason: "the deletion certificate the person downloads",
  },
];

/** What may stay after a retention run names the expired data it deleted. */
export const RETENTION_ALLOWED: readonly AllowRule[] = [
  {
    store: "postgres",
    place: "audit_log",
    kinds: ["subject", "template", "enrolment", "photo", "consent", "request", "pseudonym"],
    reason: "append-only, hash-chained audit log: ids only",
  },
  {
    store: "postgres",
    place: "retention_certificates",
    kinds: ["subject", "template", "consent", "pseudonym", "photo", "photoFile"],
    reason: "the retention certificate of each deleted template",
  },
];

/** One line per place, residue first, for a benchmark's output. */
export function describeFindings(result: CheckResult, limit = 20): string[] {
  const line = (f: Finding) =>
    `${f.allowed ? "allowed" : "RESIDUE"} ${f.store} ${f.where} (${f.kinds.join(", ")}) ×${f.count}` +
    (f.allowed ? `: ${f.allowed}` : "");
  const lines = [...result.residue, ...result.allowed].slice(0, limit).map(line);
  const more = result.findings.length - lines.length;
  return more > 0 ? [...lines, `… and ${more} more`] : lines;
}
