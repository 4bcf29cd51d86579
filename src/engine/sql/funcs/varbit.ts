/**
 * The functions of the bit string types (pg_proc rows over bit, which bit varying reaches by its implicit cast):
 * length / bit_length (bits), octet_length (bytes), get_bit / set_bit (0-based, 2202E outside the string),
 * substring (1-based, SQL's counting), position, overlay and bit_count. substring, overlay and set_bit return bit
 * (of whatever length comes out), bit_count bigint.
 *
 * Mirrors: src/backend/utils/adt/varbit.c (bitlength, bitoctetlength, bitgetbit, bitsetbit, bitsubstr,
 * bitsubstr_no_len, bitposition, bitoverlay, bitoverlay_no_len, bit_bit_count); catalog/pg_proc.dat.
 */
import { type Value, T } from '../types.js';
import { register, type FuncDef } from './registry.js';
import { PgBit, bitGetBit, bitSetBit, bitSubstring, bitPosition, bitOverlay, bitCount } from '../../adt/varbit.js';
import { T_BIT } from '../bitops.js';

const im = (name: string, args: FuncDef['args'], ret: FuncDef['ret'], fn: NonNullable<FuncDef['fn']>): FuncDef => ({ name, args, ret, fn, immutable: true });
const B = (v: Value) => v as PgBit;
const N = (v: Value) => v as number;

register([
  im('length', ['bit'], T.int4, (b) => B(b).len),
  im('bit_length', ['bit'], T.int4, (b) => B(b).len),
  im('octet_length', ['bit'], T.int4, (b) => B(b).bytes.length),
  im('get_bit', ['bit', 'int4'], T.int4, (b, n) => bitGetBit(B(b), N(n))),
  im('set_bit', ['bit', 'int4', 'int4'], T_BIT, (b, n, v) => bitSetBit(B(b), N(n), N(v))),
  im('substring', ['bit', 'int4', 'int4'], T_BIT, (b, s, l) => bitSubstring(B(b), N(s), N(l))),
  im('substring', ['bit', 'int4'], T_BIT, (b, s) => bitSubstring(B(b), N(s), null)),
  im('position', ['bit', 'bit'], T.int4, (str, sub) => bitPosition(B(str), B(sub))),
  im('overlay', ['bit', 'bit', 'int4', 'int4'], T_BIT, (a, b, s, l) => bitOverlay(B(a), B(b), N(s), N(l))),
  im('overlay', ['bit', 'bit', 'int4'], T_BIT, (a, b, s) => bitOverlay(B(a), B(b), N(s), null)),
  im('bit_count', ['bit'], T.int8, (b) => bitCount(B(b))),
]);
