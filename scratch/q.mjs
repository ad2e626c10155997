import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:'); const c = await db.connect();
for (const q of process.argv.slice(2)) { try { const r = await c.runAndReadAll(q); console.log(JSON.stringify(r.getRowObjectsJson())); } catch (e) { console.log('ERR', e.message); } }
