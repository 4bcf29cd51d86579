import { describe, it, expect } from 'vitest';
import { hashInit, hashInsert, spareIndex, totalBuckets, bucketToBlkno, hashKeyToBucket, blknoToBit, ffactorFor } from '../../src/engine/index/hashpage.js';
import { hashInt4 } from '../../src/engine/adt/hashfunc.js';

describe('hash index pages (hashpage.ts, against PostgreSQL 15 recordings in tests/scenarios/hash)', () => {
  it('sizes the buckets from the estimated rows: 2260 rows / ffactor 307 → 8 buckets, the bitmap page at block 9', () => {
    expect(ffactorFor(75)).toBe(307);
    const l = hashInit(2260, 75);
    expect([l.meta.maxbucket, l.meta.highmask, l.meta.lowmask, l.meta.ovflpoint, l.meta.spares[3], l.meta.mapp[0], l.nblocks]).toEqual([7, 15, 7, 3, 1, 9, 10]);
    const small = hashInit(1, 75);
    expect([small.meta.maxbucket, small.meta.highmask, small.meta.lowmask, small.meta.ovflpoint, small.meta.mapp[0]]).toEqual([1, 3, 1, 1, 3]);
  });

  it('splitpoints double up to 512 buckets, then each doubling comes in four phases (_hash_spareindex)', () => {
    expect([1, 2, 3, 4, 5, 8, 512, 513, 640, 641, 1024].map(spareIndex)).toEqual([0, 1, 2, 2, 3, 3, 9, 10, 10, 11, 13]);
    expect([1025, 1280, 1281, 2048, 2049].map(spareIndex)).toEqual([14, 14, 15, 17, 18]);
    expect([3, 9, 10, 11, 13, 14].map(totalBuckets)).toEqual([8, 512, 640, 768, 1024, 1280]);
    for (const n of [513, 700, 1024, 1500, 5000]) expect(totalBuckets(spareIndex(n))).toBeGreaterThanOrEqual(n);
  });

  it('a key hashes to `hash & highmask`, folded by lowmask past maxbucket; 900 equal keys chain overflow pages and split the table', () => {
    const l = hashInit(1, 75);
    const h7 = hashInt4(7) >>> 0;
    expect(h7).toBe(3316173823);
    expect(hashKeyToBucket(h7, l.meta)).toBe(1);
    for (let i = 1; i <= 900; i++) hashInsert(l, h7, i);
    // as tests/scenarios/hash/split.out: maxbucket 2, spares {0,2,3}, firstfree 3; the first overflow page is block 4
    expect([l.meta.ntuples, l.meta.maxbucket, l.meta.ovflpoint, l.meta.firstfree]).toEqual([900, 2, 2, 3]);
    expect(l.meta.spares.slice(0, 3)).toEqual([0, 2, 3]);
    expect(bucketToBlkno(l.meta, 2)).toBe(5);
    expect(blknoToBit(l.meta, 4)).toBe(1);
    expect(blknoToBit(l.meta, 5)).toBeNull();
  });
});
