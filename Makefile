# spotcheck — built with PGXS against the PostgreSQL found by pg_config.
EXTENSION  = spotcheck
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" spotcheck.control)

MODULE_big = spotcheck
# Every C file under src/ is part of the extension.
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is assembled from one SQL file per concern, in name order.
# One part is generated: the verification page (tools/verify-web/), carried as
# the text of spotcheck.verification_page_template() ("46_draw_page.html.sql"
# sorts before "46_draw_page.sql", which uses it).
VERIFY_PAGE = tools/verify-web/spotcheck-verify.html
VERIFY_PAGE_SQL = src/sql/46_draw_page.html.sql
SQL_PARTS = $(sort $(wildcard src/sql/*.sql) $(VERIFY_PAGE_SQL))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard $(EXTENSION)--*--*.sql))

# pg_regress: every file in sql/, in name order (install first, uninstall last).
REGRESS = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=.

# Server headers as system headers: -Wextra applies to our code, not to theirs.
PG_CPPFLAGS = -I$(srcdir)/src -isystem $(shell $(PG_CONFIG) --includedir-server)
PG_CFLAGS = -Wall -Wextra -Werror
SHLIB_LINK = -lcrypto

# Standalone tools that need no database (see tools/).
TOOL_PROGRAMS = tools/verify/spotcheck-verify
EXTRA_CLEAN = $(TOOL_PROGRAMS) $(VERIFY_PAGE_SQL)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(DATA_built): $(SQL_PARTS) spotcheck.control
	{ printf -- '-- spotcheck %s — assembled from src/sql/ by the Makefile; edit those files.\n' '$(EXTVERSION)'; \
	  printf '%s\n' '\echo Use "CREATE EXTENSION spotcheck" to load this file. \quit'; \
	  for f in $(SQL_PARTS); do printf '\n-- ---- %s ----\n' "$$f"; cat "$$f"; done; } > $@

$(VERIFY_PAGE_SQL): $(VERIFY_PAGE) tools/verify-web/page-sql.sh
	sh tools/verify-web/page-sql.sh $(VERIFY_PAGE) > $@.tmp && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

all: $(TOOL_PROGRAMS)

# The draw core's header is shared by the extension and the verifier.
src/draw.o src/drawcore.o: src/drawcore.h

# spotcheck-verify: the standalone draw verifier, sharing src/drawcore.c.
VERIFY_SRCS = tools/verify/spotcheck-verify.c tools/verify/json.c src/drawcore.c
tools/verify/spotcheck-verify: $(VERIFY_SRCS) tools/verify/json.h src/drawcore.h
	$(CC) -O2 -Wall -Wextra -Werror -Isrc -o $@ $(VERIFY_SRCS) -lcrypto
install: install-tools
.PHONY: install-tools
install-tools: $(TOOL_PROGRAMS)
ifneq ($(strip $(TOOL_PROGRAMS)),)
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) $(TOOL_PROGRAMS) '$(DESTDIR)$(bindir)/'
endif
