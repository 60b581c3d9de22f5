/*
 * json.c — see json.h.  Recursive descent over a byte buffer.
 */
#include "json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

typedef struct parser
{
	const unsigned char *p;
	const unsigned char *end;
	int			line;
	int			column;
	char	   *err;
	size_t		errlen;
	int			failed;
} parser;

static void
fail(parser *ps, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (ps->failed)
		return;
	ps->failed = 1;
	n = snprintf(ps->err, ps->errlen, "line %d, column %d: ", ps->line, ps->column);
	if (n < 0 || (size_t) n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
}

/* Advance one byte, keeping line and column (columns count characters). */
static void
advance(parser *ps)
{
	if (*ps->p == '\n')
	{
		ps->line++;
		ps->column = 1;
	}
	else if ((*ps->p & 0xC0) != 0x80)
		ps->column++;
	ps->p++;
}

static void
skip_ws(parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		advance(ps);
}

static json_value *
new_value(parser *ps, json_kind kind)
{
	json_value *v = calloc(1, sizeof(json_value));

	if (v == NULL)
	{
		fail(ps, "out of memory");
		return NULL;
	}
	v->kind = kind;
	v->line = ps->line;
	v->column = ps->column;
	return v;
}

/* A growable byte buffer. */
typedef struct buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} buf;

static int
buf_add(buf *b, const void *src, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		size_t		cap = b->cap ? b->cap * 2 : 32;
		char	   *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (d == NULL)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, src, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int
put_utf8(buf *b, uint32_t cp)
{
	unsigned char out[4];
	size_t		n;

	if (cp < 0x80)
	{
		out[0] = (unsigned char) cp;
		n = 1;
	}
	else if (cp < 0x800)
	{
		out[0] = (unsigned char) (0xC0 | (cp >> 6));
		out[1] = (unsigned char) (0x80 | (cp & 0x3F));
		n = 2;
	}
	else if (cp < 0x10000)
	{
		out[0] = (unsigned char) (0xE0 | (cp >> 12));
		out[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char) (0x80 | (cp & 0x3F));
		n = 3;
	}
	else
	{
		out[0] = (unsigned char) (0xF0 | (cp >> 18));
		out[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
		out[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
		out[3] = (unsigned char) (0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_add(b, out, n);
}

/* Length of the valid UTF-8 sequence at p (RFC 3629), or 0. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t		n,
				i;
	uint32_t	cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t) (end - p) < n)
		return 0;
	for (i = 1; i < n; i++)
	{
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		(cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static int
hex4(parser *ps, uint32_t *out)
{
	int			i;
	uint32_t	v = 0;

	for (i = 0; i < 4; i++)
	{
		unsigned char c;

		if (ps->p >= ps->end)
		{
			fail(ps, "unterminated \\u escape");
			return -1;
		}
		c = *ps->p;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
		{
			fail(ps, "invalid hex digit '%c' in \\u escape", c);
			return -1;
		}
		advance(ps);
	}
	*out = v;
	return 0;
}

/* A string literal at ps->p (which is '"'); returns the decoded bytes. */
static int
parse_string(parser *ps, char **out, size_t *outlen)
{
	buf			b = {NULL, 0, 0};

	advance(ps);				/* the opening quote */
	if (buf_add(&b, "", 0) < 0)
		goto oom;
	for (;;)
	{
		unsigned char c;

		if (ps->p >= ps->end)
		{
			fail(ps, "unterminated string");
			goto bad;
		}
		c = *ps->p;
		if (c == '"')
		{
			advance(ps);
			break;
		}
		if (c < 0x20)
		{
			fail(ps, "control character 0x%02x in a string (escape it)", c);
			goto bad;
		}
		if (c == '\\')
		{
			uint32_t	cp;

			advance(ps);
			if (ps->p >= ps->end)
			{
				fail(ps, "unterminated escape");
				goto bad;
			}
			c = *ps->p;
			switch (c)
			{
				case '"':
				case '\\':
				case '/':
					advance(ps);
					if (buf_add(&b, &c, 1) < 0)
						goto oom;
					continue;
				case 'b':
					cp = '\b';
					break;
				case 'f':
					cp = '\f';
					break;
				case 'n':
					cp = '\n';
					break;
				case 'r':
					cp = '\r';
					break;
				case 't':
					cp = '\t';
					break;
				case 'u':
					advance(ps);
					if (hex4(ps, &cp) < 0)
						goto bad;
					if (cp >= 0xD800 && cp <= 0xDBFF)
					{
						uint32_t	lo;

						if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
						{
							fail(ps, "high surrogate \\u%04x without a low surrogate", (unsigned) cp);
							goto bad;
						}
						advance(ps);
						advance(ps);
						if (hex4(ps, &lo) < 0)
							goto bad;
						if (lo < 0xDC00 || lo > 0xDFFF)
						{
							fail(ps, "\\u%04x is not a low surrogate", (unsigned) lo);
							goto bad;
						}
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					}
					else if (cp >= 0xDC00 && cp <= 0xDFFF)
					{
						fail(ps, "lone low surrogate \\u%04x", (unsigned) cp);
						goto bad;
					}
					if (cp == 0)
					{
						fail(ps, "\\u0000 is not allowed in a string");
						goto bad;
					}
					if (put_utf8(&b, cp) < 0)
						goto oom;
					continue;
				default:
					fail(ps, "invalid escape '\\%c'", c);
					goto bad;
			}
			advance(ps);
			if (put_utf8(&b, cp) < 0)
				goto oom;
			continue;
		}
		{
			size_t		n = utf8_len(ps->p, ps->end),
						i;

			if (n == 0)
			{
				fail(ps, "invalid UTF-8 byte 0x%02x", c);
				goto bad;
			}
			if (buf_add(&b, ps->p, n) < 0)
				goto oom;
			for (i = 0; i < n; i++)
				advance(ps);
		}
	}
	*out = b.data;
	*outlen = b.len;
	return 0;
oom:
	fail(ps, "out of memory");
bad:
	free(b.data);
	return -1;
}

static json_value *parse_value(parser *ps, int depth);

static int
add_item(parser *ps, json_value *v, json_value *item, char *name, size_t name_len)
{
	json_value **items = realloc(v->items, (v->count + 1) * sizeof(json_value *));

	if (items == NULL)
	{
		fail(ps, "out of memory");
		return -1;
	}
	v->items = items;
	if (v->kind == JSON_OBJECT)
	{
		char	  **names = realloc(v->names, (v->count + 1) * sizeof(char *));
		size_t	   *lens;

		if (names == NULL)
		{
			fail(ps, "out of memory");
			return -1;
		}
		v->names = names;
		lens = realloc(v->name_lens, (v->count + 1) * sizeof(size_t));
		if (lens == NULL)
		{
			fail(ps, "out of memory");
			return -1;
		}
		v->name_lens = lens;
		v->names[v->count] = name;
		v->name_lens[v->count] = name_len;
	}
	v->items[v->count++] = item;
	return 0;
}

static json_value *
parse_container(parser *ps, int depth, int is_object)
{
	json_value *v = new_value(ps, is_object ? JSON_OBJECT : JSON_ARRAY);
	char		close = is_object ? '}' : ']';

	if (v == NULL)
		return NULL;
	if (depth >= JSON_MAX_DEPTH)
	{
		fail(ps, "nesting deeper than %d", JSON_MAX_DEPTH);
		goto bad;
	}
	advance(ps);				/* [ or { */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close)
	{
		advance(ps);
		return v;
	}
	for (;;)
	{
		char	   *name = NULL;
		size_t		name_len = 0;
		json_value *item;

		skip_ws(ps);
		if (is_object)
		{
			size_t		i;
			int			nl = ps->line,
						nc = ps->column;

			if (ps->p >= ps->end || *ps->p != '"')
			{
				fail(ps, ps->p >= ps->end ? "unexpected end of input, expected a member name"
					 : "expected a member name in double quotes");
				goto bad;
			}
			if (parse_string(ps, &name, &name_len) < 0)
				goto bad;
			for (i = 0; i < v->count; i++)
				if (v->name_lens[i] == name_len && memcmp(v->names[i], name, name_len) == 0)
				{
					ps->line = nl;
					ps->column = nc;
					fail(ps, "member \"%s\" appears twice in one object", name);
					free(name);
					goto bad;
				}
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
			{
				fail(ps, "expected ':' after member name \"%s\"", name);
				free(name);
				goto bad;
			}
			advance(ps);
		}
		item = parse_value(ps, depth + 1);
		if (item == NULL)
		{
			free(name);
			goto bad;
		}
		if (add_item(ps, v, item, name, name_len) < 0)
		{
			free(name);
			json_free(item);
			goto bad;
		}
		skip_ws(ps);
		if (ps->p >= ps->end)
		{
			fail(ps, "unexpected end of input, expected ',' or '%c'", close);
			goto bad;
		}
		if (*ps->p == ',')
		{
			advance(ps);
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == close)
			{
				fail(ps, "trailing comma before '%c'", close);
				goto bad;
			}
			continue;
		}
		if (*ps->p == close)
		{
			advance(ps);
			return v;
		}
		fail(ps, "expected ',' or '%c', found '%c'", close, *ps->p);
		goto bad;
	}
bad:
	json_free(v);
	return NULL;
}

static json_value *
parse_number(parser *ps)
{
	json_value *v = new_value(ps, JSON_NUMBER);
	const unsigned char *start = ps->p;

	if (v == NULL)
		return NULL;
	if (*ps->p == '-')
		advance(ps);
	if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9'))
	{
		fail(ps, "expected a digit");
		goto bad;
	}
	if (*ps->p == '0')
	{
		advance(ps);
		if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		{
			fail(ps, "leading zero in a number");
			goto bad;
		}
	}
	else
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			advance(ps);
	if (ps->p < ps->end && *ps->p == '.')
	{
		advance(ps);
		if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9'))
		{
			fail(ps, "expected a digit after '.'");
			goto bad;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			advance(ps);
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
	{
		advance(ps);
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			advance(ps);
		if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9'))
		{
			fail(ps, "expected a digit in the exponent");
			goto bad;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			advance(ps);
	}
	v->len = ps->p - start;
	v->str = malloc(v->len + 1);
	if (v->str == NULL)
	{
		fail(ps, "out of memory");
		goto bad;
	}
	memcpy(v->str, start, v->len);
	v->str[v->len] = '\0';
	return v;
bad:
	json_free(v);
	return NULL;
}

static json_value *
parse_literal(parser *ps, const char *word, json_kind kind)
{
	size_t		n = strlen(word);
	json_value *v;

	if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
	{
		fail(ps, "unexpected character '%c'", *ps->p);
		return NULL;
	}
	v = new_value(ps, kind);
	while (n-- > 0)
		advance(ps);
	return v;
}

static json_value *
parse_value(parser *ps, int depth)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
	{
		fail(ps, "unexpected end of input, expected a value");
		return NULL;
	}
	switch (*ps->p)
	{
		case '{':
			return parse_container(ps, depth, 1);
		case '[':
			return parse_container(ps, depth, 0);
		case '"':
			{
				json_value *v = new_value(ps, JSON_STRING);

				if (v == NULL)
					return NULL;
				if (parse_string(ps, &v->str, &v->len) < 0)
				{
					json_free(v);
					return NULL;
				}
				return v;
			}
		case 't':
			return parse_literal(ps, "true", JSON_TRUE);
		case 'f':
			return parse_literal(ps, "false", JSON_FALSE);
		case 'n':
			return parse_literal(ps, "null", JSON_NULL);
		default:
			if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
				return parse_number(ps);
			if (*ps->p >= 0x20 && *ps->p < 0x7f)
				fail(ps, "unexpected character '%c'", *ps->p);
			else
				fail(ps, "unexpected byte 0x%02x", *ps->p);
			return NULL;
	}
}

json_value *
json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	parser		ps;
	json_value *v;

	ps.p = (const unsigned char *) text;
	ps.end = ps.p + len;
	ps.line = 1;
	ps.column = 1;
	ps.err = err;
	ps.errlen = errlen;
	ps.failed = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
	{
		fail(&ps, "byte order mark at the start (not allowed)");
		return NULL;
	}
	v = parse_value(&ps, 0);
	if (v == NULL)
		return NULL;
	skip_ws(&ps);
	if (ps.p < ps.end)
	{
		fail(&ps, "unexpected text after the JSON value");
		json_free(v);
		return NULL;
	}
	return v;
}

void
json_free(json_value *v)
{
	size_t		i;

	if (v == NULL)
		return;
	for (i = 0; i < v->count; i++)
	{
		json_free(v->items[i]);
		if (v->names)
			free(v->names[i]);
	}
	free(v->items);
	free(v->names);
	free(v->name_lens);
	free(v->str);
	free(v);
}

const json_value *
json_get(const json_value *obj, const char *name)
{
	size_t		i,
				n = strlen(name);

	if (obj == NULL || obj->kind != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->count; i++)
		if (obj->name_lens[i] == n && memcmp(obj->names[i], name, n) == 0)
			return obj->items[i];
	return NULL;
}

const char *
json_kind_name(json_kind k)
{
	static const char *names[] = {"null", "false", "true", "number", "string", "array", "object"};

	return names[k];
}
