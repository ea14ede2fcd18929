import { mkdirSync } from 'node:fs';
import path from 'node:path';
// node:sqlite's API as a Node-API addon, with better-sqlite3's transaction()
// and pragma(): one binary for Node 20 and 24 (better-sqlite3 aborts on Node 24
// up to v12, and v13 needs Node 22).
import {
  DatabaseSync,
  type DatabaseSyncInstance,
  type EnhancedDatabaseSync,
  enhance,
  type StatementSyncInstance,
} from '@photostructure/sqlite';
import type { Department } from '../fan-out.js';
import type { NewOrder, PlacedOrder } from './order-schema.js';

/** What the status page shows of a department's work on an order; `attempts` is the kit's count of failed attempts. */
export interface DepartmentProgress {
  state: 'pending' | 'done' | 'retrying' | 'failed';
  attempts: number;
  reason: string | null;
}

export interface OrderView extends NewOrder {
  id: number;
  status: 'pending' | 'done' | 'failed';
  departments: Record<Department, DepartmentProgress>;
}

export type Store = EnhancedDatabaseSync<DatabaseSyncInstance>;

/**
 * Opens (and creates) the store: SQLite in WAL mode, so readers never wait
 * for the writer. Processes sharing it (the roles run apart) wait up to 5 s
 * for each other's writes.
 */
export function openStore(file: string, { readOnly = false } = {}): Store {
  if (file !== ':memory:' && !readOnly) mkdirSync(path.dirname(file), { recursive: true });
  const db = enhance(new DatabaseSync(file, { timeout: 5_000, readOnly }));
  if (readOnly) return db;
  // Several processes may create the store at once (the roles started
  // together). SQLite refuses some lock changes at once rather than wait (a
  // switch to WAL while another connection reads; a read upgraded to a
  // write), so those steps are tried again. WAL is a property of the file:
  // whoever comes first sets it. IMMEDIATE takes the write lock before
  // reading the schema, waiting for it like any write.
  whileBusy(() => db.pragma('journal_mode = WAL'));
  whileBusy(() => db.transaction(() => db.exec(SCHEMA)).immediate());
  return db;
}

const SCHEMA = `
    CREATE TABLE IF NOT EXISTS orders (
      id INTEGER PRIMARY KEY,
      customer_name TEXT NOT NULL,
      product_ids TEXT NOT NULL,
      created_at TEXT NOT NULL
    );
    -- What must be published: written in the same transaction as the order.
    CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY,
      order_id INTEGER NOT NULL REFERENCES orders(id),
      payload TEXT NOT NULL,
      sent_at TEXT
    );
    CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox(id) WHERE sent_at IS NULL;
    CREATE TABLE IF NOT EXISTS customer_stats (
      customer_name TEXT PRIMARY KEY,
      orders INTEGER NOT NULL,
      products INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS progress (
      order_id INTEGER NOT NULL REFERENCES orders(id),
      department TEXT NOT NULL,
      state TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      reason TEXT,
      PRIMARY KEY (order_id, department)
    );
  `;

/** Tries `work` again, up to 5 s, while another process holds a lock SQLite would not wait for. */
function whileBusy<T>(work: () => T): T {
  const giveUpAt = Date.now() + 5_000;
  for (;;) {
    try {
      return work();
    } catch (error) {
      // By its primary code (extended ones such as SQLITE_BUSY_RECOVERY keep it in the
      // low byte), or by SQLite's words where the driver passes on only those.
      const { errcode, message } = error as { errcode?: number; message?: string };
      const busy = errcode !== undefined ? (errcode & 0xff) === SQLITE_BUSY : message === 'database is locked';
      if (!busy || Date.now() > giveUpAt) throw error;
      // Synchronous on purpose: the store opens before the process does anything else.
      Atomics.wait(pause, 0, 0, 10 + Math.random() * 40);
    }
  }
}

const SQLITE_BUSY = 5;
const pause = new Int32Array(new SharedArrayBuffer(4));

// Compiling a statement costs more than running one of these small queries:
// each is compiled once per open store, then reused.
const statements = new WeakMap<Store, Map<string, StatementSyncInstance>>();

/** `sql` compiled for `db`, once. */
export function statement(db: Store, sql: string): StatementSyncInstance {
  const found = statements.get(db)?.get(sql);
  if (found) return found;
  const compiled = statements.get(db) ?? new Map<string, StatementSyncInstance>();
  statements.set(db, compiled.set(sql, db.prepare(sql)));
  return compiled.get(sql)!;
}

interface OrderRow {
  id: number;
  customer_name: string;
  product_ids: string;
}

export function findOrder(db: Store, id: number): OrderView | undefined {
  const row = statement(db, 'SELECT id, customer_name, product_ids FROM orders WHERE id = ?').get(id) as
    | OrderRow
    | undefined;
  if (!row) return undefined;
  const rows = statement(db, 'SELECT department, state, attempts, reason FROM progress WHERE order_id = ?').all(
    id,
  ) as ({
    department: Department;
  } & DepartmentProgress)[];
  const departments = Object.fromEntries(
    rows.map(({ department, state, attempts, reason }) => [department, { state, attempts, reason }]),
  ) as Record<Department, DepartmentProgress>;
  const states = rows.map((r) => r.state);
  const status = states.includes('failed') ? 'failed' : states.every((s) => s === 'done') ? 'done' : 'pending';
  return {
    id: row.id,
    customer_name: row.customer_name,
    product_ids: JSON.parse(row.product_ids),
    status,
    departments,
  };
}

export interface OutboxRow {
  id: number;
  payload: string;
}

/** The outbox rows not yet published, oldest first. */
export function unsent(db: Store, limit: number): OutboxRow[] {
  return statement(db, 'SELECT id, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?').all(
    limit,
  ) as OutboxRow[];
}

/** Marks outbox rows sent, in one transaction. */
export function markSent(db: Store, ids: number[]): void {
  const mark = statement(db, 'UPDATE outbox SET sent_at = ? WHERE id = ?');
  const now = new Date().toISOString();
  db.transaction(() => {
    for (const id of ids) mark.run(now, id);
  }).immediate();
}

export function progressOf(db: Store, orderId: number, department: Department): DepartmentProgress | undefined {
  return statement(db, 'SELECT state, attempts, reason FROM progress WHERE order_id = ? AND department = ?').get(
    orderId,
    department,
  ) as DepartmentProgress | undefined;
}

export function setProgress(db: Store, orderId: number, department: Department, progress: DepartmentProgress): void {
  statement(db, 'UPDATE progress SET state = ?, attempts = ?, reason = ? WHERE order_id = ? AND department = ?').run(
    progress.state,
    progress.attempts,
    progress.reason,
    orderId,
    department,
  );
}

/**
 * Counts an order in its customer's statistics and marks marketing done, in
 * one transaction, unless it was done already: a redelivered order is never
 * counted twice. `attempts`: the kit's count of failed attempts before this one.
 */
export function countForCustomer(db: Store, order: PlacedOrder, attempts: number): boolean {
  return db
    .transaction(() => {
      if (progressOf(db, order.id, 'marketing')?.state === 'done') return false;
      statement(
        db,
        `INSERT INTO customer_stats (customer_name, orders, products) VALUES (?, 1, ?)
       ON CONFLICT (customer_name) DO UPDATE SET orders = orders + 1, products = products + excluded.products`,
      ).run(order.customer_name, order.product_ids.length);
      setProgress(db, order.id, 'marketing', { state: 'done', attempts, reason: null });
      return true;
    })
    .immediate();
}
