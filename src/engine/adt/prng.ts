/**
 * PostgreSQL's pseudo-random number generator (src/common/pg_prng.c), behind random() and setseed():
 * xoroshiro128** over a 128-bit state (two 64-bit words), seeded through splitmix64.
 *
 *     setseed(x)   pg_prng_fseed: the seed is the 64-bit integer (2^52 - 1) * x (x in [-1, 1]); splitmix64 of it,
 *                  twice, gives the two state words (an all-zero state is replaced by a fixed one)
 *     random()     pg_prng_double: the next 64-bit output's top 52 bits, times 2^-52 — a double in [0, 1)
 *
 * The state is per backend (float.c's drandom_seed). PostgreSQL seeds it, on the first random() without a
 * setseed() before, from strong random bits (pg_prng_strong_seed); the engine has no randomness, so it seeds it
 * with the backend's pid instead (pg_prng_seed(pid)) — a backend's random() sequence is then the same in every run,
 * and after setseed(x) it is exactly PostgreSQL's.
 *
 * Mirrors: src/common/pg_prng.c (xoroshiro128ss, splitmix64, pg_prng_seed, pg_prng_fseed, pg_prng_seed_check,
 * pg_prng_double), utils/adt/float.c (drandom, setseed, initialize_drandom_seed).
 */
export interface PrngState { s0: bigint; s1: bigint }

const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, bits: bigint): bigint => ((x << bits) | (x >> (64n - bits))) & M64;

/** splitmix64: one output, advancing the seed held in `st`. */
function splitmix64(st: { v: bigint }): bigint {
  st.v = (st.v + 0x9E3779B97F4A7C15n) & M64;
  let val = st.v;
  val = ((val ^ (val >> 30n)) * 0xBF58476D1CE4E5B9n) & M64;
  val = ((val ^ (val >> 27n)) * 0x94D049BB133111EBn) & M64;
  return val ^ (val >> 31n);
}

/** pg_prng_seed: the state from a 64-bit seed. */
export function prngSeed(seed: bigint): PrngState {
  const st = { v: BigInt.asUintN(64, seed) };
  const s: PrngState = { s0: splitmix64(st), s1: splitmix64(st) };
  if (s.s0 === 0n && s.s1 === 0n) { s.s0 = 0x5851F42D4C957F2Dn; s.s1 = 0x14057B7EF767814Fn; } // pg_prng_seed_check
  return s;
}

/** pg_prng_fseed: the state from a double in [-1, 1] (setseed's argument, already range-checked). */
export function prngFseed(fseed: number): PrngState {
  // int64 seed = ((double) ((UINT64CONST(1) << 52) - 1)) * fseed; — the C conversion truncates toward zero
  return prngSeed(BigInt(Math.trunc((2 ** 52 - 1) * fseed)));
}

/** xoroshiro128**: the next 64-bit output, advancing the state. */
function next(s: PrngState): bigint {
  const s0 = s.s0, sx = s.s1 ^ s0;
  const val = (rotl((s0 * 5n) & M64, 7n) * 9n) & M64;
  s.s0 = rotl(s0, 24n) ^ sx ^ ((sx << 16n) & M64);
  s.s1 = rotl(sx, 37n);
  return val;
}

/** pg_prng_double: a double in [0, 1) from the top 52 bits of the next output. */
export function prngDouble(s: PrngState): number {
  return Number(next(s) >> 12n) * 2 ** -52;
}
