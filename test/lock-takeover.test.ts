/**
 * A stale lock (its process gone, after a kill -9) is taken over by exactly one run, however
 * many find it at the same instant: contenders in separate processes are released together
 * against a fresh stale lock, round after round, and each round exactly one gets the lock;
 * the others are refused naming the winner.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { cli, ROOT, tinyScenario, writeScenario } from './reliability-helpers.js';
import { acquireLock } from '../src/run/lock.js';

const CONTENDERS = 6;
const ROUNDS = 100;

type Reply = { ready?: true; won?: boolean; code?: string; message?: string; released?: true };

/** A contender process and a way to wait for its next message. */
function contender(): { child: ChildProcess; next: () => Promise<Reply> } {
  const child = fork(join(ROOT, 'test/fixtures/lock/contender.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const queue: Reply[] = [];
  const waiting: Array<(r: Reply) => void> = [];
  child.on('message', (m) => {
    const w = waiting.shift();
    if (w) w(m as Reply);
    else queue.push(m as Reply);
  });
  return { child, next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((res) => waiting.push(res))) };
}

/** The pid of a process that has ended (what a lock left by kill -9 names). */
function deadPid(): number {
  return spawnSync('true').pid!;
}

describe('stale lock takeover', () => {
  const all = Array.from({ length: CONTENDERS }, contender);
  afterAll(() => {
    for (const c of all) c.child.kill('SIGKILL');
  });

  it(`${CONTENDERS} runs reaching one stale lock together: exactly one takes it, ${ROUNDS} rounds`, async () => {
    for (const c of all) expect((await c.next()).ready).toBe(true);
    const base = tempDir();
    const winners: number[] = [];
    const refusals: Reply[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const dir = join(base, `r${round}`);
      // A part's lock in some rounds: parts of one split run take over stale part locks alike.
      const part = round % 4 === 3 ? { k: 2, n: 3 } : null;
      const name = part ? '.paranom-part-00002-of-00003.lock' : '.paranom.lock';
      mkdirSync(dir);
      writeFileSync(join(dir, name), JSON.stringify({ pid: deadPid(), host: hostname(), command: 'generate' }) + '\n');
      const at = Date.now() + 25;
      for (const c of all) c.child.send({ go: true, at, dir, part });
      const replies = await Promise.all(all.map((c) => c.next()));
      const won = replies.flatMap((r, i) => (r.won ? [i] : []));
      winners.push(won.length);
      refusals.push(...replies.filter((x) => !x.won));
      // The lock on disk is the one winner's, with nothing of the takeover left beside it.
      const holder = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { pid: number };
      if (won.length === 1) expect(holder.pid).toBe(all[won[0]!]!.child.pid);
      for (const i of won) {
        all[i]!.child.send({ release: true });
        expect((await all[i]!.next()).released).toBe(true);
      }
      if (won.length === 1) expect(readdirSync(dir)).toEqual([]);
    }
    expect(winners.filter((w) => w !== 1), `winners per round: ${winners.join(',')}`).toEqual([]);
    for (const r of refusals) {
      expect(r.code, r.message).toBe('OUTPUT_LOCKED');
      // The winner's lock is created, then written: a contender reading it in between is
      // refused as by a lock still being written (seen on a loaded machine), also correct.
      expect(r.message).toMatch(/is in use by (process \d+ on host .* \(contender\)|a process that is still writing its lock)/);
    }
  }, 120_000);

  it('a takeover whose run died leaves a claim that the next run passes and removes; a live claim is waited for, then refused', () => {
    const dir = tempDir();
    const token = 'dead-takeover';
    const claim = (k: number) => join(dir, `.paranom.lock.takeover-${createHash('sha256').update(token).digest('hex').slice(0, 16)}-${k}`);
    writeFileSync(join(dir, '.paranom.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), command: 'grow', token }) + '\n');
    writeFileSync(claim(0), JSON.stringify({ pid: deadPid(), host: hostname(), command: 'takeover' }) + '\n');
    const lock = acquireLock(dir, null, 'generate');
    expect(readdirSync(dir)).toEqual(['.paranom.lock']);
    lock.release();
    expect(readdirSync(dir)).toEqual([]);

    // A run taking the stale lock over right now (its claim names a live process): this run
    // waits for it, then is refused rather than removing the lock that run may be placing.
    writeFileSync(join(dir, '.paranom.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), command: 'grow', token }) + '\n');
    writeFileSync(claim(0), JSON.stringify({ pid: process.ppid, host: hostname(), command: 'merge' }) + '\n');
    expect(() => acquireLock(dir, null, 'generate')).toThrow(new RegExp(`is in use by process ${process.ppid} on host .* \\(merge\\)`));
    expect(readdirSync(dir).sort()).toEqual(['.paranom.lock', basename(claim(0))]);
  });

  it('a lock is never seen half-written: what a run killed while writing its lock or claim left is removed by the next run, which goes on at once', async () => {
    const base = tempDir();
    const out = join(base, 'ds');
    mkdirSync(out);
    const dead = deadPid();
    const left = ['.paranom.lock.new-' + dead + '-0123456789ab', `.paranom.lock.takeover-0123456789abcdef-0.new-${dead}-0123456789ab`];
    // A lock being written right now by a live process (this test's parent) is not touched.
    const live = `.paranom.lock.new-${process.ppid}-0123456789ab`;
    for (const f of [...left, live]) writeFileSync(join(out, f), JSON.stringify({ pid: dead, host: hostname(), command: 'generate' }));
    const scenario = writeScenario(base, tinyScenario(1000));
    const r = await cli('generate', scenario, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(out).filter((f) => f.startsWith('.paranom'))).toEqual([live]);
  });
});
