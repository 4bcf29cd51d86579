/**
 * The carried tz database (src/engine/adt/pgtz.ts, tzdata.ts): every switch a zone file lists is reproduced —
 * kept ones decoded, dropped ones regenerated from the footer rule — and local ↔ instant conversion follows
 * DetermineTimeZoneOffset's rules (gap: offset before, doubled hour: offset after).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { pgTzset, typeAt, localOffset, offsetZoneName, pgTzsetOffset } from '../../src/engine/adt/pgtz.js';
import { parsePosixTz, ruleSwitches } from '../../src/engine/adt/posixtz.js';

/** The 64-bit switches and types of a TZif file (the generator's input, read independently here). */
function tzif(name: string) {
  const b = readFileSync(`/usr/share/zoneinfo/${name}`);
  const counts = (o: number) => [0, 1, 2, 3, 4, 5].map((k) => b.readInt32BE(o + 20 + 4 * k));
  const v1 = counts(0) as [number, number, number, number, number, number];
  let o = 44 + v1[3] * 5 + v1[4] * 6 + v1[5] + v1[2] * 8 + v1[1] + v1[0];
  const [, , , timecnt, typecnt, charcnt] = counts(o) as number[];
  o += 44;
  const ats = [...Array(timecnt).keys()].map((i) => Number(b.readBigInt64BE(o + 8 * i)));
  o += 8 * timecnt!;
  const idx = [...b.subarray(o, o + timecnt!)];
  o += timecnt!;
  const types = [...Array(typecnt).keys()].map((i) => ({ utoff: b.readInt32BE(o + 6 * i), isdst: b[o + 6 * i + 4] === 1, ai: b[o + 6 * i + 5]! }));
  const chars = b.subarray(o + 6 * typecnt!, o + 6 * typecnt! + charcnt!).toString('latin1');
  return ats.map((at, i) => { const t = types[idx[i]!]!; return { at, utoff: t.utoff, isdst: t.isdst, abbr: chars.slice(t.ai, chars.indexOf('\0', t.ai)) }; });
}

const ZONES = ['America/New_York', 'Europe/London', 'Europe/Dublin', 'Europe/Moscow', 'Australia/Sydney', 'America/Sao_Paulo',
  'Asia/Kolkata', 'Pacific/Chatham', 'America/Godthab', 'Asia/Jerusalem', 'Africa/Casablanca', 'Pacific/Apia'];

describe('the carried zones', () => {
  for (const name of ZONES) {
    it(`${name}: each switch of its zone file, then the footer rule's, is in force from its instant`, () => {
      const z = pgTzset(name)!;
      expect(z.name).toBe(name);
      const file = tzif(name).filter((s) => s.at > -(2 ** 40));
      expect(file.length).toBeGreaterThan(3);
      for (const s of file) {
        const t = typeAt(z, s.at);
        expect({ at: s.at, utoff: t.utoff, isdst: t.isdst, abbr: t.abbr }).toEqual({ at: s.at, utoff: s.utoff, isdst: s.isdst, abbr: s.abbr });
      }
    });
  }
  it('links share their target\'s data and keep their own name; names are matched in any case', () => {
    expect(pgTzset('us/eastern')!.name).toBe('US/Eastern');
    expect(typeAt(pgTzset('US/Eastern')!, 1719835200)).toEqual(typeAt(pgTzset('America/New_York')!, 1719835200));
    expect(pgTzset('Nowhere/Land')).toBeNull();
    expect(pgTzset(':UTC')).toBeNull();
  });
});

describe('POSIX strings', () => {
  it('read the offset west-positive and the US rule when none is given', () => {
    const p = parsePosixTz('XYZ-2ABC')!;
    expect(p.std).toEqual({ utoff: 7200, isdst: false, abbr: 'XYZ' });
    expect(p.dst).toEqual({ utoff: 10800, isdst: true, abbr: 'ABC' });
    expect(parsePosixTz('<+0330>-3:30')!.std.utoff).toBe(12600);
    expect(parsePosixTz('EST5EDT,M3.2.0,M11.1.0')!.start).toEqual({ kind: 'M', month: 3, week: 2, wday: 0, secs: 7200 });
    expect(parsePosixTz('AB')).toBeNull();
    expect(parsePosixTz('EST5EDT,M13.1.0,M11.1.0')).toBeNull();
  });
  it('switch on the rule\'s days: 2024 in the US on March 10 and November 3, in the south the other way round', () => {
    const us = ruleSwitches(parsePosixTz('EST5EDT,M3.2.0,M11.1.0')!, 2024);
    expect(us).toEqual([{ at: Date.UTC(2024, 2, 10, 7) / 1000, dst: true }, { at: Date.UTC(2024, 10, 3, 6) / 1000, dst: false }]);
    const au = ruleSwitches(parsePosixTz('AEST-10AEDT,M10.1.0,M4.1.0/3')!, 2024);
    expect(au.map((s) => s.dst)).toEqual([false, true]);
  });
  it('fixed offsets are spelled as pg_tzset_offset spells them, up to 167 hours', () => {
    expect(offsetZoneName(25200)).toBe('<-07>+07');
    expect(offsetZoneName(-19800)).toBe('<+05:30>-05:30');
    expect(pgTzsetOffset(-167 * 3600)!.name).toBe('<+167>-167');
    expect(pgTzsetOffset(-168 * 3600)).toBeNull();
  });
});

describe('local time ↔ instant', () => {
  const ny = pgTzset('America/New_York')!;
  it('a time in the spring-forward gap takes the offset before it, one in the doubled hour the offset after it', () => {
    expect(localOffset(ny, Date.UTC(2024, 2, 10, 2, 30) / 1000).utoff).toBe(-18000);
    expect(localOffset(ny, Date.UTC(2024, 10, 3, 1, 30) / 1000).utoff).toBe(-18000);
    expect(localOffset(ny, Date.UTC(2024, 6, 1, 12) / 1000).utoff).toBe(-14400);
  });
  it('property: an instant shown as local time and read back is the same instant, except in a doubled hour', () => {
    for (const name of ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata']) {
      const z = pgTzset(name)!;
      fc.assert(fc.property(fc.integer({ min: -2_000_000_000, max: 4_000_000_000 }), (t) => {
        const local = t + typeAt(z, t).utoff;
        const back = local - localOffset(z, local).utoff;
        // a doubled local time maps to the later reading: then the instant lies one DST step earlier
        if (back !== t) expect(typeAt(z, back).utoff).not.toBe(typeAt(z, t).utoff);
        expect(back + typeAt(z, back).utoff).toBe(local);
      }), { numRuns: 2000 });
    }
  });
});
