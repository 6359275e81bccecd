/**
 * The Db contract on both drivers: a query made anywhere during `transaction(work)` joins
 * that transaction (no handle is passed around), nested transactions join the outer one,
 * and a failure rolls back everything; constraint errors come out as domain errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../src/db/db.ts';
import { Conflict } from '../src/kernel/errors.ts';
import { testBackends } from './helpers.ts';

for (const backend of testBackends()) {
  describe(`database transactions [${backend.name}]`, () => {
    let db: Db;
    before(async () => {
      db = await backend.open();
      await db.exec('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
    });
    after(async () => {
      await db.close();
    });
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notes')).rows[0]!.n;

    it('a query on the Db during a transaction joins it, from any function', async () => {
      const insertElsewhere = (id: number) => db.query('INSERT INTO notes VALUES ($1, $2)', [id, 'x']);
      const seen = await db.transaction(async () => {
        assert.equal(db.inTransaction, true);
        await insertElsewhere(1);
        return count(); // sees its own uncommitted row (and would deadlock on PGlite if it did not join)
      });
      assert.equal(seen, 1);
      assert.equal(db.inTransaction, false);
      assert.equal(await count(), 1);
    });

    it('a failure anywhere inside rolls back every write, nested transactions included', async () => {
      await assert.rejects(
        db.transaction(async () => {
          await db.query('INSERT INTO notes VALUES (2, $1)', ['kept?']);
          await db.transaction(() => db.query('INSERT INTO notes VALUES (3, $1)', ['nested']));
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual((await db.query('SELECT id FROM notes ORDER BY id')).rows, [{ id: 1 }]);
    });

    it('maps constraint violations to domain errors, and rolls back', async () => {
      await assert.rejects(
        db.transaction(async () => {
          await db.query('INSERT INTO notes VALUES (4, $1)', ['new']);
          await db.query('INSERT INTO notes VALUES (1, $1)', ['duplicate']);
        }),
        (error) => error instanceof Conflict,
      );
      assert.equal(await count(), 1);
    });

    it('says a constraint’s violation in generic words, or in those its owning module gave', async () => {
      await db.query('INSERT INTO notes VALUES (50, $1)', ['first']);
      const duplicate = () => db.query('INSERT INTO notes VALUES (50, $1)', ['again']);
      await assert.rejects(duplicate(), (error) => error instanceof Conflict && error.message === 'the resource conflicts with an existing one');
      db.explainConstraints({ notes_pkey: 'a note with this number already exists' });
      await assert.rejects(duplicate(), (error) => error instanceof Conflict && error.message === 'a note with this number already exists');
      await db.query('DELETE FROM notes WHERE id = 50');
    });

    it('work that outlives its transaction runs outside it instead of failing', async () => {
      let late: Promise<unknown> | undefined;
      await db.transaction(async () => {
        late = new Promise((resolve) => setTimeout(resolve, 20)).then(() => db.query('INSERT INTO notes VALUES (5, $1)', ['late']));
      });
      await late;
      assert.equal(await count(), 2);
    });

    // The context is switched off while no transaction is open (src/db/context.ts): one that
    // ends while another runs must not take the other's context with it.
    const pgliteSerializes = backend.name === 'pglite' && 'PGlite runs one transaction at a time';
    it('overlapping transactions each keep their own, and a later one gets its own again', { skip: pgliteSerializes }, async () => {
      let endFirst: () => void = () => {};
      const firstMayEnd = new Promise<void>((resolve) => (endFirst = resolve));
      const first = db.transaction(async () => {
        await db.query('INSERT INTO notes VALUES (6, $1)', ['first']);
        await firstMayEnd;
      });
      const second = db.transaction(async () => {
        await db.query('INSERT INTO notes VALUES (7, $1)', ['second']);
        endFirst();
        await first;
        assert.equal(db.inTransaction, true);
        // Still inside the second transaction: its row is visible, and a failure now undoes it.
        assert.equal((await db.query('SELECT id FROM notes WHERE id = 7')).rows.length, 1);
        throw new Error('undo the second');
      });
      await assert.rejects(second, /undo the second/);
      assert.deepEqual((await db.query('SELECT id FROM notes WHERE id IN (6, 7) ORDER BY id')).rows, [{ id: 6 }]);
      await assert.rejects(
        db.transaction(async () => {
          await db.query('INSERT INTO notes VALUES (8, $1)', ['later']);
          throw new Error('undo the later');
        }),
        /undo the later/,
      );
      assert.equal((await db.query('SELECT id FROM notes WHERE id = 8')).rows.length, 0);
    });

    it('a prepared statement gives the same answers, and is prepared once per connection on a server, under a name of its own text', async () => {
      const bodyById = 'SELECT body FROM notes WHERE id = $1';
      const idByBody = 'SELECT id FROM notes WHERE body = $1';
      const byId = (id: number) => db.query<{ body: string }>(bodyById, [id], { prepare: true });
      const prepared = await db.transaction(async () => {
        assert.deepEqual((await byId(1)).rows, [{ body: 'x' }]);
        assert.deepEqual((await byId(5)).rows, [{ body: 'late' }]);
        assert.deepEqual((await db.query(idByBody, ['late'], { prepare: true })).rows, [{ id: 5 }]);
        if (backend.name !== 'postgres') return [];
        const statements = await db.query<{ name: string; statement: string }>(
          'SELECT name, statement FROM pg_prepared_statements WHERE statement IN ($1, $2)',
          [bodyById, idByBody],
        );
        return statements.rows;
      });
      if (backend.name === 'postgres') {
        assert.deepEqual(prepared.map((row) => row.statement).sort(), [bodyById, idByBody].sort(), 'each prepared once');
        assert.ok(prepared.every((row) => /^tessera_[0-9a-f]{32}$/.test(row.name)));
        assert.notEqual(prepared[0]!.name, prepared[1]!.name);
      }
      assert.deepEqual((await byId(404)).rows, []);
    });
  });
}
