/**
 * The analysis cache: bounded, and a file written by another build, damaged, too big or of the wrong
 * shape is ignored rather than trusted; values of the wrong shape are recomputed by their readers.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_STAMP, MemoryCache, cacheKey, cached, contentId, isStringArray } from '../../src/core/cache.js';
import { DiskCache } from '../../src/source/disk-cache.js';
import { memoryChangeSet } from '../../src/source/memory.js';
import { runCheck } from '../../src/pipeline.js';
import { cleanupTempDirs, tempDir } from '../source/helpers.js';

afterAll(cleanupTempDirs);

describe('MemoryCache', () => {
  it('drops the least recently used entries past its bound', () => {
    const cache = new MemoryCache(600);
    cache.set('a', 'x'.repeat(100));
    cache.set('b', 'y'.repeat(100));
    expect(cache.get('a')).toBe('x'.repeat(100)); // a is now the most recent
    cache.set('c', 'z'.repeat(100));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.bytes).toBeLessThanOrEqual(600);
    expect(cache.stats).toMatchObject({ hits: 3, misses: 1, writes: 3 });
  });

  it('keeps nothing bigger than its whole bound', () => {
    const cache = new MemoryCache(100);
    cache.set('big', 'x'.repeat(1000));
    expect(cache.get('big')).toBeUndefined();
  });
});

describe('cache keys', () => {
  it('differ by every part, including where one part ends', () => {
    expect(cacheKey('k', 'ab', 'c')).not.toBe(cacheKey('k', 'a', 'bc'));
    expect(cacheKey('k', 'a')).not.toBe(cacheKey('j', 'a'));
    expect(contentId({ path: 'a.ts', text: 'x' })).not.toBe(contentId({ path: 'b.ts', text: 'x' }));
    expect(contentId({ path: 'a.ts', text: 'x' })).not.toBe(contentId({ path: 'a.ts', text: 'y' }));
  });

  it('a value of the wrong shape is recomputed and replaced', () => {
    const cache = new MemoryCache(1 << 20);
    cache.set('k', { not: 'an array' });
    let computed = 0;
    const value = cached(cache, 'k', isStringArray, () => {
      computed++;
      return ['a'];
    });
    expect(value).toEqual(['a']);
    expect(computed).toBe(1);
    expect(cache.get('k')).toEqual(['a']);
  });
});

describe('DiskCache', () => {
  const filled = () => {
    const dir = tempDir('rg-cache-');
    const cache = new DiskCache(dir);
    expect(cache.loadProblem).toBe('missing');
    cache.set('grep:1', ['a.ts', 'b.ts']);
    cache.set('facts:1', { routes: [{ path: '/healthz' }], frameworks: new Set(['express']), none: undefined });
    expect(cache.save()).toEqual({ saved: true });
    return { dir, path: cache.path };
  };

  it('reads back what it saved, Sets and undefined members included', () => {
    const { dir } = filled();
    const again = new DiskCache(dir);
    expect(again.loadProblem).toBeUndefined();
    expect(again.get('grep:1')).toEqual(['a.ts', 'b.ts']);
    const facts = again.get('facts:1') as { frameworks: Set<string>; none?: unknown };
    expect(facts.frameworks).toEqual(new Set(['express']));
    expect('none' in facts).toBe(true);
  });

  it('reads its file on first use, not when opened: a check that asks nothing does not read it', () => {
    const dir = tempDir('rg-cache-');
    const opened = new DiskCache(dir);
    // Written after the store was opened and before it was used: the store sees it.
    const writer = new DiskCache(dir);
    writer.set('grep:1', ['a.ts']);
    expect(writer.save()).toEqual({ saved: true });
    expect(opened.get('grep:1')).toEqual(['a.ts']);
    expect(opened.loadProblem).toBeUndefined();
  });

  it('says whether it holds a key without reading it or counting a hit or a miss', () => {
    const { dir } = filled();
    for (const cache of [new DiskCache(dir), new MemoryCache(1 << 20)]) {
      cache.set('grep:1', ['a.ts']);
      const before = { ...cache.stats };
      expect([cache.has('grep:1'), cache.has('grep:2')]).toEqual([true, false]);
      expect(cache.stats).toEqual(before);
    }
  });

  it('does not write when nothing was added', () => {
    const { dir } = filled();
    expect(new DiskCache(dir).save()).toEqual({ saved: false });
  });

  it("ignores another build's file (its stamp differs), then replaces it", () => {
    const { dir, path } = filled();
    const text = readFileSync(path, 'latin1').replace(CACHE_STAMP, 'other-build');
    writeFileSync(path, text, 'latin1');
    const cache = new DiskCache(dir);
    expect(cache.loadProblem).toBe('foreign');
    expect(cache.get('grep:1')).toBeUndefined();
    cache.set('grep:2', ['c.ts']);
    cache.save();
    expect(new DiskCache(dir).get('grep:2')).toEqual(['c.ts']);
  });

  it('ignores a damaged file: its index changed, truncated, or not a cache at all', () => {
    const { dir, path } = filled();
    const bytes = readFileSync(path);
    const second = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1);
    const flipped = Buffer.from(bytes);
    flipped[second + 5] = flipped[second + 5]! ^ 0x01;
    writeFileSync(path, flipped);
    expect(new DiskCache(dir).loadProblem).toBe('corrupt');
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    expect(new DiskCache(dir).loadProblem).toBe('corrupt');
    writeFileSync(path, 'hello\nworld\n');
    expect(new DiskCache(dir).loadProblem).toBe('corrupt');
    writeFileSync(path, '');
    expect(new DiskCache(dir).loadProblem).toBe('corrupt');
  });

  it('a value whose bytes changed is a miss; the others still read', () => {
    const { dir, path } = filled();
    const bytes = readFileSync(path);
    const flipped = Buffer.from(bytes);
    // The values come last, the most recently written last of all: this is a byte of facts:1.
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 0xff;
    writeFileSync(path, flipped);
    const cache = new DiskCache(dir);
    expect(cache.loadProblem).toBeUndefined();
    expect(cache.get('facts:1')).toBeUndefined();
    expect(cache.get('grep:1')).toEqual(['a.ts', 'b.ts']);
  });

  it('reads only the values asked for, and copies the others unchanged when it saves', () => {
    const { dir } = filled();
    const again = new DiskCache(dir);
    expect(again.keys()).toEqual(['grep:1', 'facts:1']);
    again.set('grep:2', ['c.ts']);
    again.save();
    const third = new DiskCache(dir);
    expect(third.keys()).toEqual(['grep:1', 'facts:1', 'grep:2']);
    expect((third.get('facts:1') as { frameworks: Set<string> }).frameworks).toEqual(new Set(['express']));
    expect(third.stats.hits).toBe(1);
  });

  it('ignores a file past its size bound without reading it', () => {
    const { dir } = filled();
    const big = new DiskCache(dir);
    big.set('bulk', 'x'.repeat(20_000));
    big.save();
    const small = new DiskCache(dir, 1024);
    expect(small.loadProblem).toBe('too-large');
    expect(small.get('grep:1')).toBeUndefined();
  });

  it('stays within its bound when saving, dropping the oldest entries', () => {
    const dir = tempDir('rg-cache-');
    const cache = new DiskCache(dir, 64 * 1024);
    for (let i = 0; i < 200; i++) cache.set(`k${i}`, 'x'.repeat(1000));
    cache.save();
    const size = readFileSync(join(dir, 'analysis-cache.bin')).length;
    expect(size).toBeLessThanOrEqual(64 * 1024 + 4096);
    const again = new DiskCache(dir, 64 * 1024);
    expect(again.loadProblem).toBeUndefined();
    expect(again.get('k199')).toBeDefined();
    expect(again.get('k0')).toBeUndefined();
  });

  it('a save that cannot write says why and throws nothing', () => {
    const dir = tempDir('rg-cache-');
    writeFileSync(join(dir, 'file'), 'x');
    const cache = new DiskCache(join(dir, 'file', 'sub'));
    cache.set('a', ['b']);
    const result = cache.save();
    expect(result.saved).toBe(false);
    expect(result.error).toMatch(/ENOTDIR|EEXIST/);
  });
});

describe('the engine with an in-memory cache (the App keeps one per worker)', () => {
  const fixture = join(import.meta.dirname, '../fixtures/rules/health/liveness-checks-dependencies/handler-changed');
  const filesOf = (dir: string): Record<string, string> => {
    const out: Record<string, string> = {};
    const walk = (rel: string) => {
      for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(p);
        else out[p] = readFileSync(join(dir, p), 'utf8');
      }
    };
    walk('');
    return out;
  };

  it('a second evaluation of the same change reads its facts from the cache and reports the same', async () => {
    const base = filesOf(join(fixture, 'before'));
    const head = filesOf(join(fixture, 'after'));
    const strip = (r: Awaited<ReturnType<typeof runCheck>>) => ({ ...r, stats: { ...r.stats, durationMs: 0 } });
    const uncached = await runCheck({ changeSet: memoryChangeSet({ base, head }) });
    const cache = new MemoryCache(64 * 1024 * 1024);
    const first = await runCheck({ changeSet: memoryChangeSet({ base, head }), cache });
    expect(cache.stats.writes).toBeGreaterThan(0);
    const hitsBefore = cache.stats.hits;
    const second = await runCheck({ changeSet: memoryChangeSet({ base, head }), cache });
    expect(cache.stats.hits).toBeGreaterThan(hitsBefore);
    expect(strip(first)).toEqual(strip(uncached));
    expect(strip(second)).toEqual(strip(uncached));
    expect(uncached.findings.some((f) => f.ruleId === 'health/liveness-checks-dependencies')).toBe(true);
  });
});
