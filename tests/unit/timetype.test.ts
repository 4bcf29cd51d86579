/** time and timetz (adt/time.ts): the rules of their input, arithmetic and order, as date.c has them. */
import { describe, it, expect } from 'vitest';
import { PgTime, PgTimeTz, timeIn, adjustTimeForTypmod, timePlusInterval, intervalToTime, extractTime, makeTime } from '../../src/engine/adt/time.js';
import { PgInterval, USECS_PER_HOUR, USECS_PER_DAY } from '../../src/engine/adt/datetime.js';
import { PgError } from '../../src/engine/errors.js';

const t = (s: string) => new PgTime(timeIn(s, false).us).toString();
const tz = (s: string) => { const v = timeIn(s, true); return new PgTimeTz(v.us, v.zone).toString(); };
const code = (f: () => unknown) => { try { f(); } catch (e) { return (e as PgError).sqlstate; } return 'none'; };

describe('time input', () => {
  it('reads the forms learners type', () => {
    expect(t('12:34')).toBe('12:34:00');
    expect(t('1:2:3')).toBe('01:02:03');
    expect(t('123456')).toBe('12:34:56');
    expect(t('1234')).toBe('12:34:00');
    expect(t('T12:34')).toBe('12:34:00');
    expect(t('12:00 am')).toBe('00:00:00');
    expect(t('0:00 pm')).toBe('12:00:00');
    expect(t('2024-01-01 12:34')).toBe('12:34:00');
    expect(t('12:34:60')).toBe('12:35:00');
    expect(t('23:59:59.9999999')).toBe('24:00:00');
  });
  it('keeps the zone for timetz, seconds west of UTC', () => {
    expect(timeIn('12:00+02', true).zone).toBe(-7200);
    expect(tz('12:34:56 GMT+3')).toBe('12:34:56-03');
    expect(tz('12:34 PST')).toBe('12:34:00-08');
    expect(tz('2024-07-01 12:34 America/New_York')).toBe('12:34:00-04');
  });
  it('fails with the SQLSTATE PostgreSQL uses', () => {
    expect(code(() => timeIn('24:00:01', false))).toBe('22008');
    expect(code(() => timeIn('13:00 pm', false))).toBe('22008');
    expect(code(() => timeIn('12', false))).toBe('22007');
    expect(code(() => timeIn('12:34 America/New_York', true))).toBe('22007');
    expect(code(() => timeIn('12:34+16', true))).toBe('22009');
  });
});

describe('time arithmetic and order', () => {
  it('rounds to a precision half away from zero, without wrapping', () => {
    expect(adjustTimeForTypmod(USECS_PER_DAY - 500_000, 0)).toBe(USECS_PER_DAY);
    expect(adjustTimeForTypmod(1_250_000, 1)).toBe(1_300_000);
  });
  it('adds only the time part of an interval, modulo a day', () => {
    expect(timePlusInterval(23 * USECS_PER_HOUR, new PgInterval(1, 1, 2 * USECS_PER_HOUR))).toBe(USECS_PER_HOUR);
    expect(timePlusInterval(USECS_PER_HOUR, new PgInterval(0, 0, 2 * USECS_PER_HOUR), -1)).toBe(23 * USECS_PER_HOUR);
    expect(timePlusInterval(USECS_PER_DAY, new PgInterval(0, 0, 0))).toBe(0);
    expect(intervalToTime(new PgInterval(0, 0, -25 * USECS_PER_HOUR))).toBe(23 * USECS_PER_HOUR);
  });
  it('orders timetz by UTC time, then zone', () => {
    const a = new PgTimeTz(13 * USECS_PER_HOUR, -3600), b = new PgTimeTz(12 * USECS_PER_HOUR, 0);
    expect(a.cmp(b)).toBe(-1);
    expect(a.key()).not.toBe(b.key());
  });
  it('extracts fields and refuses the ones a time lacks', () => {
    expect(extractTime('epoch', new PgTimeTz(12 * USECS_PER_HOUR + 34 * 60_000_000, -19800)).toString()).toBe('25440.000000');
    expect(code(() => extractTime('day', new PgTime(0)))).toBe('0A000');
    expect(code(() => extractTime('foo', new PgTime(0)))).toBe('22023');
  });
  it('make_time checks its fields', () => {
    expect(makeTime(24, 0, 0, String).toString()).toBe('24:00:00');
    expect(() => makeTime(24, 0, 0.5, String)).toThrow('time field value out of range: 24:00:0.5');
  });
});
