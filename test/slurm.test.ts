/**
 * A split run on a real batch scheduler: a one-node Slurm cluster (scripts/slurm-one-node.sh
 * installs slurm-wlm and munge if missing, and starts munged, slurmctld and slurmd) runs
 * the README's array job (scripts/slurm-generate.sbatch) as `sbatch --array=0-3`. One task
 * is killed with SIGKILL mid-way and requeued; the retried task must resume its part (keep
 * the shards its first attempt finished). After merge-manifests the dataset must be byte
 * for byte the single-machine run. Skipped, saying why, only where Slurm cannot be installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const SETUP = 'scripts/slurm-one-node.sh';
const JOB = 'scripts/slurm-generate.sbatch';
let env: NodeJS.ProcessEnv = process.env;
let started = false;

function sh(cmd: string, args: string[], timeout = 60_000) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

async function until<T>(what: string, seconds: number, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function journalLines(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0; // Not written yet.
  }
}

/**
 * Holds process `pid` stopped once `file` holds `lines` non-empty lines (true), or throws
 * after `seconds`. The process runs only in slices of about 2 ms between SIGSTOP and SIGCONT
 * while the journal is read, so it cannot run on far unseen (a part of 16 small shards takes
 * a few hundred milliseconds in all). A slice is longer when this thread is scheduled late
 * on a loaded machine, and a process found near its end may finish in one: then it is gone
 * and this returns false, as it does when the journal already holds `complete` lines (the
 * part done, the process found late).
 */
function stopAtJournal(pid: number, file: string, lines: number, complete: number, seconds: number): boolean {
  const end = Date.now() + seconds * 1000;
  const sleep = new Int32Array(new SharedArrayBuffer(4));
  try {
    process.kill(pid, 'SIGSTOP');
    for (;;) {
      const n = journalLines(file);
      // Found only once its part was done (a fast machine finds the process late): like a
      // task that ended first, it cannot be held part-way.
      if (n >= complete) return false;
      if (n >= lines) return true;
      if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${lines} lines in ${file}`);
      process.kill(pid, 'SIGCONT');
      Atomics.wait(sleep, 0, 0, 2);
      process.kill(pid, 'SIGSTOP');
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Whether a node process is npm's (the `npx` launcher, whose child is paranom): by its
 * script (`npx`, `npx-cli.js`, anything under `npm/`), or by the title `npm exec …` that
 * npm soon gives its process in place of its arguments.
 */
function isNpm(cmd: readonly string[]): boolean {
  return cmd.some((a) => /^npm /.test(a) || /[\\/]npm[\\/]|(^|[\\/])np[mx](-cli\.js)?$/.test(a));
}

/** The paranom process of one array task (not the npx launcher above it), found by the variables Slurm put in its environment. */
function taskProcess(jobId: string, task: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0');
      if (environ.includes(`SLURM_ARRAY_JOB_ID=${jobId}`) && environ.includes(`SLURM_ARRAY_TASK_ID=${task}`) && cmd.includes('generate') && /node$/.test(cmd[0] ?? '') && !isNpm(cmd)) return Number(name);
    } catch {
      // A process that ended meanwhile.
    }
  }
  return undefined;
}

function jobState(id: string): string {
  return /JobState=(\w+)/.exec(sh('scontrol', ['show', 'job', id]).out)?.[1] ?? 'UNKNOWN';
}

/** `n` distinct TCP ports nothing listens on: held open together while the kernel picks them, then released. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<Server>((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, () => res(s));
  })));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  return ports;
}

afterAll(() => {
  if (started) sh('bash', [SETUP, 'stop']);
});

describe('Slurm array job', () => {
  it('4 parts, one killed and requeued, merge-manifests: the single-machine bytes', async (ctx) => {
    // Its own directory and free ports: no collision with another Slurm on this machine.
    env = { ...process.env, PARANOM_SLURM_DIR: tempDir('paranom-slurm-cluster-'), PARANOM_SLURM_PORTS: (await freePorts(2)).join(',') };
    const setup = sh('bash', [SETUP, 'start'], 300_000);
    if (setup.code === 3) {
      console.warn(`Slurm array test skipped: ${setup.err.trim()}`);
      ctx.skip();
    }
    expect(setup.code, setup.err).toBe(0);
    started = true;
    env = { ...env, SLURM_CONF: /SLURM_CONF=(\S+)/.exec(setup.out)![1]! };
    expect(readFileSync(env['SLURM_CONF']!, 'utf8')).toContain(`SlurmctldPort=${env['PARANOM_SLURM_PORTS']!.split(',')[0]}`);

    // The README shows the job script as it is in the repository.
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain(readFileSync(JOB, 'utf8').trim());

    const dir = tempDir('paranom-slurm-');
    mkdirSync(join(dir, 'logs'));
    let ds = '';
    let journal = '';
    let job = '';
    let pid = 0;
    // The process is found first, then stopped and let run in short slices until its
    // journal holds 3 shards and the header: a part of 16 small shards finishes a few
    // hundred milliseconds after its third, sooner than a loaded machine reliably lets a
    // watcher react. Where task 1 ended before it could be held, the job is cancelled and
    // submitted again on a fresh dataset (at most three times). Each attempt has its own
    // folder: a cancelled task can still be writing into the last one after the queue
    // lists it no more, so removing that folder could fail with ENOTEMPTY.
    for (let attempt = 1; ; attempt++) {
      ds = join(dir, `valve-${attempt}`);
      // Task 1 is part 2 of 4: kill it once its journal records 3 of its 16 shards.
      journal = join(ds, '.paranom-run-part-00002-of-00004.jsonl');
      const submit = sh('sbatch', ['--parsable', '--array=0-3', `--output=${dir}/logs/%A_%a.out`, JOB, ds]);
      expect(submit.code, submit.err).toBe(0);
      job = submit.out.trim().split(';')[0]!;
      try {
        pid = await until('the node process of task 1', 120, () => taskProcess(job, 1));
        if (stopAtJournal(pid, journal, 4, 17, 120)) break;
      } catch (err) {
        sh('scancel', [job]);
        throw err;
      }
      sh('scancel', [job]);
      await until('the cancelled job to leave the queue', 120, () => (sh('squeue', ['-h', '-j', job]).out.trim() === '' ? true : undefined));
      if (attempt === 3) throw new Error('task 1 ended before it could be stopped, in each of three submissions');
    }
    try {
      expect(journalLines(journal)).toBeLessThan(17);
      process.kill(pid, 'SIGKILL');
      await until('task 1 to fail', 120, () => (jobState(`${job}_1`) === 'FAILED' ? true : undefined));
      expect(existsSync(join(ds, 'manifest-part-00002-of-00004.json'))).toBe(false);

      // Requeue it, without the scheduler's back-off before a requeued job may start.
      expect(sh('scontrol', ['requeue', `${job}_1`]).code).toBe(0);
      // Wait on task 1's own state: right after a requeue the task can be missing from
      // squeue for a moment, so an empty queue does not yet mean the retry has run. While it
      // is pending its start time is set to now again (once a second): on a loaded machine
      // the first update can reach the controller before the requeue has given the task its
      // delayed start time, which then stands for minutes.
      let lastUpdate = 0;
      let state = '';
      await until('the retried task 1 to complete', 240, () => {
        state = jobState(`${job}_1`);
        if (state === 'PENDING' && Date.now() - lastUpdate > 1000) {
          lastUpdate = Date.now();
          sh('scontrol', ['update', `jobid=${job}_1`, 'StartTime=now']);
        }
        return state === 'COMPLETED' ? true : undefined;
      }).catch((e: Error) => {
        throw new Error(`${e.message} (last state ${state}: ${sh('scontrol', ['show', 'job', `${job}_1`]).out.replace(/\s+/g, ' ').slice(0, 600)})`);
      });
      await until('every task to finish', 180, () => (sh('squeue', ['-h', '-j', job]).out.trim() === '' ? true : undefined));
      const log = readFileSync(join(dir, 'logs', `${job}_1.out`), 'utf8');
      const kept = Number(/kept (\d+) shard\(s\) from an earlier run/.exec(log)?.[1] ?? 0);
      expect(kept, log).toBeGreaterThanOrEqual(3);
      expect(kept).toBeLessThan(16);
      for (const t of [0, 2, 3]) expect(jobState(`${job}_${t}`)).toBe('COMPLETED');
    } finally {
      sh('scancel', [job]);
    }

    const merged = sh('npx', ['paranom', 'merge-manifests', ds]);
    expect(merged.code, merged.err).toBe(0);
    const single = join(dir, 'single');
    const one = sh('npx', ['paranom', 'generate', 'scenarios/valve-sensors.yaml', '--rows', '4194304', '--shard-rows', '65536', '--out', single], 300_000);
    expect(one.code, one.err).toBe(0);

    const files = (d: string) => ['manifest.json', 'anomalies.parquet', ...readdirSync(join(d, 'data')).sort().map((f) => `data/${f}`)];
    expect(files(ds)).toEqual(files(single));
    expect(files(ds)).toHaveLength(2 + 64);
    for (const f of files(single)) expect(readFileSync(join(ds, f)).equals(readFileSync(join(single, f))), f).toBe(true);
  }, 600_000);
});
