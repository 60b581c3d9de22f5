/*
 * uscc.h — the unified social credit code (统一社会信用代码, GB 32100-2015).
 *
 * A code is 18 characters from the alphabet 0-9 A-H J-N P-R T U W-Y (no I,
 * O, Z, S, V).  Positions 9-17 are the GB 11714 organisation code, whose own
 * check character stands at position 17; position 18 is the GB 32100 check
 * character over positions 1-17.
 *
 * Values of the type are stored as their 18 canonical (upper-case ASCII)
 * bytes, so byte order is the order of the text in the "C" collation.
 */
#ifndef SPOTCHECK_USCC_H
#define SPOTCHECK_USCC_H

#define USCC_LEN 18
#define USCC_BODY_LEN 17

typedef struct Uscc
{
	char		data[USCC_LEN];
} Uscc;

#define DatumGetUsccP(X)	((Uscc *) DatumGetPointer(X))
#define UsccPGetDatum(X)	PointerGetDatum(X)
#define PG_GETARG_USCC_P(n) DatumGetUsccP(PG_GETARG_DATUM(n))
#define PG_RETURN_USCC_P(x) return UsccPGetDatum(x)

#endif
