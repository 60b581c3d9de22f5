/*
 * draw.h — helpers shared by the SQL functions of the draw (draw.c,
 * draw_sample.c): text as UTF-8 bytes and back, 32-byte arguments, and the
 * aggregate context check.
 */
#ifndef SPOTCHECK_DRAW_H
#define SPOTCHECK_DRAW_H

#include "postgres.h"

#include "fmgr.h"

/* The UTF-8 bytes of a text value (U(s)); may palloc in the current context. */
extern const char *text_utf8(text *t, size_t *len);

/* A text value from UTF-8 bytes. */
extern text *utf8_text(const char *s, size_t len);

/* A printable, server-encoded copy of UTF-8 bytes, for messages. */
extern char *utf8_shown(const char *s, size_t len);

/* A 32-byte argument (a secret, digest or seed): refuses any other length. */
extern const uint8_t *hash_arg(bytea *b, const char *what);

/* The aggregate's memory context; an error outside an aggregate. */
extern MemoryContext agg_context(FunctionCallInfo fcinfo, const char *fn);

#endif
