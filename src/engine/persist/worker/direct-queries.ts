import type { PGlite, Results, Transaction } from '@electric-sql/pglite';
import type { DirectResult, FromLocalDbWorker, ToLocalDbWorker } from './messages.js';

/** An open transaction: where its statements run, how the page ends it, and when it ended. */
interface OpenTransaction {
  readonly tx: Transaction;
  readonly end: (commit: boolean) => void;
  readonly finished: Promise<void>;
}

/**
 * The worker's side of direct queries: each message from the page runs on `database` as one
 * PGlite call, so each persists once (a statement once, a transaction once at its commit).
 * A transaction stays open in the worker between the page's statements; PGlite queues any other
 * query behind it, as it does on one thread.
 */
export function serveDirectQueries(database: Promise<PGlite>, tell: (message: FromLocalDbWorker) => void): (message: ToLocalDbWorker) => void {
  const transactions = new Map<number, OpenTransaction>();
  /** The statements under way: a close waits for them, as it comes after them. */
  const running = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };
  const fail = (id: number, error: unknown) => tell({ type: 'kalphite:query-failed', id, message: error instanceof Error ? error.message : String(error) });
  const done = (id: number, results: readonly DirectResult[] = []) => tell({ type: 'kalphite:done', id, results });
  /** Where a statement runs: its transaction, or the database. */
  const target = async (tx: number | undefined): Promise<Pick<Transaction, 'query' | 'exec'>> => {
    if (tx === undefined) return database;
    const transaction = transactions.get(tx);
    if (!transaction) throw new Error(`Transaction ${tx} is not open in the local db's worker.`);
    return transaction.tx;
  };

  return (message) => {
    switch (message.type) {
      case 'kalphite:query':
        track(
          target(message.tx)
            .then((on) => on.query(message.sql, [...message.params]))
            .then(({ rows, affectedRows }) => tell({ type: 'kalphite:rows', id: message.id, rows, affectedRows }), (error: unknown) => fail(message.id, error)),
        );
        return;
      case 'kalphite:exec':
        track(
          target(message.tx)
            .then((on) => on.exec(message.sql))
            .then((results) => done(message.id, results.map(toDirect)), (error: unknown) => fail(message.id, error)),
        );
        return;
      case 'kalphite:begin': {
        const { id } = message;
        let end: (commit: boolean) => void = () => {};
        const decided = new Promise<boolean>((resolve) => (end = resolve));
        let began = false;
        const finished: Promise<void> = database.then((db) =>
          db.transaction(async (tx) => {
            began = true;
            transactions.set(id, { tx, end, finished });
            done(id);
            if (!(await decided)) await tx.rollback();
          }),
        );
        // A transaction that never began answers its begin; one that did answers its end.
        finished.then(
          () => transactions.delete(id),
          (error: unknown) => {
            transactions.delete(id);
            if (!began) fail(id, error);
          },
        );
        return;
      }
      case 'kalphite:end': {
        const transaction = transactions.get(message.tx);
        if (!transaction) {
          fail(message.id, new Error(`Transaction ${message.tx} is not open in the local db's worker.`));
          return;
        }
        transaction.end(message.commit);
        transaction.finished.then(() => done(message.id), (error: unknown) => fail(message.id, error));
        return;
      }
      case 'kalphite:close':
        void Promise.allSettled(running)
          .then(() => database)
          .then((db) => db.close())
          .then(() => done(message.id), (error: unknown) => fail(message.id, error));
        return;
    }
  };
}

const toDirect = ({ rows, affectedRows }: Results): DirectResult => ({ rows, affectedRows });
