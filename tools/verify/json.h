/*
 * json.h — a small strict JSON parser (RFC 8259) for spotcheck-verify.
 * Rejects anything that is not exactly JSON: trailing commas, comments,
 * leading zeros, invalid escapes or UTF-8, control characters in strings,
 * repeated member names, trailing garbage.  Errors carry line and column.
 */
#ifndef SPOTCHECK_JSON_H
#define SPOTCHECK_JSON_H

#include <stddef.h>

typedef enum json_kind
{
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
} json_kind;

typedef struct json_value json_value;

struct json_value
{
	json_kind	kind;
	int			line;			/* where the value starts */
	int			column;
	char	   *str;			/* STRING: decoded UTF-8; NUMBER: the literal */
	size_t		len;
	size_t		count;			/* ARRAY, OBJECT: number of items */
	char	  **names;			/* OBJECT: member names (UTF-8, NUL-free checked) */
	size_t	   *name_lens;
	json_value **items;
};

/* Parse text; on error returns NULL and writes a message with line:column. */
extern json_value *json_parse(const char *text, size_t len, char *err, size_t errlen);
extern void json_free(json_value *v);

/* The member named name of an object, or NULL. */
extern const json_value *json_get(const json_value *obj, const char *name);

extern const char *json_kind_name(json_kind k);

#endif
