-- Inspection results (Article 18): what the inspection of a planned target
-- found, recorded once and never updated.
--
--   result_categories    the result categories (a table: the standard list
--                        of the market-supervision platforms and one for
--                        fire penalties), each with the inspection outcome
--                        it counts as for the duty-fulfilment weight
--   inspection_results   one row per recorded result of a plan target: the
--                        date, category, findings and the summary the public
--                        will see, the check method, the items checked, the
--                        inspectors present (at least two, of the target's
--                        current team) and the body-camera recordings (at
--                        least one).  A correction is a new row that names
--                        the row it corrects; the first row of a target and
--                        its corrections form one line, the last is current.
--
-- record_result writes a result and, in the same transaction, its row of
-- spotcheck.inspection_outcomes (source 'plan_result', source_ref
-- 'result:<id>', plan_target set), which the duty-fulfilment factor of later
-- plans reads.  correct_result (the agency head) writes a correction; when
-- it changes the outcome or the date, the old outcome row is voided and a new
-- one written, so exactly one live outcome stands for the current version.
-- Every result is audited with the SHA-256 of its content, which the
-- compliance report recomputes.

-- ---- categories ----------------------------------------------------------------

CREATE TABLE spotcheck.result_categories (
    code       text PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    outcome    text NOT NULL,
    inspected  boolean NOT NULL,
    position   integer NOT NULL,
    source     text NOT NULL,
    shipped    boolean NOT NULL DEFAULT false,
    CONSTRAINT result_categories_code_format CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    CONSTRAINT result_categories_name_not_blank CHECK (pg_catalog.btrim(name) <> ''),
    CONSTRAINT result_categories_outcome_known CHECK (outcome IN ('compliant', 'violation', 'penalised')),
    CONSTRAINT result_categories_source_not_blank CHECK (pg_catalog.btrim(source) <> '')
);
COMMENT ON TABLE spotcheck.result_categories IS
    'result categories (抽查结果类型) with the inspection outcome each counts as for the duty-fulfilment weight (Article 17)';
COMMENT ON COLUMN spotcheck.result_categories.outcome IS
    'what the result counts as in spotcheck.inspection_outcomes: compliant only when the unit was checked and nothing wrong was found; penalised when a penalty case was opened; violation otherwise (a problem found, an obstruction, or a unit that could not be checked)';
COMMENT ON COLUMN spotcheck.result_categories.inspected IS 'whether the category means the unit was actually checked on site or on paper';

INSERT INTO spotcheck.result_categories (code, name, outcome, inspected, position, source, shipped) VALUES
    ('no_problem',          '未发现问题',                         'compliant', true,  1, 'market_supervision', true),
    ('problem_pending',     '发现问题待后续处理',                 'violation', true,  2, 'market_supervision', true),
    ('problem_corrected',   '发现问题经责令已改正',               'violation', true,  3, 'market_supervision', true),
    ('no_activity',         '未发现开展本次抽查涉及的经营活动',   'compliant', true,  4, 'market_supervision', true),
    ('closed',              '已关闭停业或正在组织清算',           'violation', false, 5, 'market_supervision', true),
    ('unreachable',         '通过登记的住所（经营场所）无法联系', 'violation', false, 6, 'market_supervision', true),
    ('obstructed',          '不配合检查情节严重',                 'violation', false, 7, 'market_supervision', true),
    ('other_department',    '违反其他部门相关规定',               'violation', true,  8, 'market_supervision', true),
    ('deregistered',        '注销',                               'violation', false, 9, 'market_supervision', true),
    ('licence_revoked',     '被吊销',                             'violation', false, 10, 'market_supervision', true),
    ('registration_revoked','被撤销',                             'violation', false, 11, 'market_supervision', true),
    ('moved_out',           '迁出',                               'violation', false, 12, 'market_supervision', true),
    ('penalised',           '发现违法行为已立案查处',             'penalised', true,  13, 'fire', true);

SELECT pg_catalog.pg_extension_config_dump('spotcheck.result_categories', 'WHERE NOT shipped');

-- Shipped categories never change; a category used by a result keeps its
-- code, name and outcome and is never deleted (a result points at what it
-- was recorded as).  Defined below the results table.

-- ---- personal data (Article 22) ---------------------------------------------------
--
-- The text the public will read (a result's summary, a correction's reason,
-- an amendment's reason, the reason a draw or a plan was abandoned) must not
-- carry personal data.  These patterns find phone numbers, identity card
-- numbers and e-mail addresses; the names are those the caller passes (the
-- unit's responsible person, legal representative and manager, the
-- inspectors of the agency and of the plan).  A name of one character is not
-- looked for.
--
-- The patterns read the text as personal_data_normalize makes it, character
-- for character, so that a match's position is its position in the text as
-- written: full-width digits, Latin letters and the punctuation of a phone
-- number or an e-mail address (＋－（）．＠：／＿) become ASCII; every other
-- space (the ideographic space, the no-break space, U+2000-U+200A...), every
-- zero-width or format character (U+200B, U+FEFF, the direction marks...)
-- and the ASCII tab and line breaks become ' '; every hyphen and dash
-- (U+2010-U+2015, U+2212 minus, U+FE63 small hyphen-minus...) becomes '-'.
--
-- A phone number may carry the country code (+86, 0086, 86, (+86)), its area
-- code in parentheses (half- or full-width), and between its groups '-',
-- '.', '/', '_' or a space, with or without spaces around (138-1234-5678,
-- 138.1234.5678, 138/1234/5678, 0533-521-2345, 138 - 1234 - 5678); a
-- landline an extension (-8001, 转8001).  After a word that says a phone
-- number follows (电话, 联系电话, 座机, 手机, 联系方式, Tel as a word of its own,
-- not the tel of Hotel) any run of seven digits or more is one, a local
-- number without area code included (座机5212345) -- but not a date
-- (电话：2026.7.10回访), and 消防电话 is the fire telephone of an alarm system
-- (GB 50116), not a word that announces a number.
--
-- An identity card number has 18 characters: the region (6 digits), the
-- date of birth (19yy or 20yy, month, day), a sequence number (3 digits) and
-- a check character, written whole or in groups (370303 19800101 1234,
-- 370303-1980-0101-1234).  Standing alone, it is one only if its check
-- character is right (ISO 7064 MOD 11-2, GB 11643): an 18-digit recording
-- reference is not flagged by chance.  After a word that says an identity
-- number follows (身份证, 身份证号, 身份号码, 证件号, ID) it is one whatever its
-- check character (a number miscopied by one digit still names a person),
-- and so is a 15-digit first-generation number (region, yymmdd, sequence);
-- a 15-digit number standing alone is a unit's old registration number.
--
-- A number is personal only standing on its own: the digits inside a unified
-- social credit code, a registration number, a certificate number or a
-- recording reference (letters or digits before or after it, or joined to
-- it by '-', '.' or '_') are not a phone or identity number, and neither are
-- dates, times or amounts.

CREATE FUNCTION spotcheck.personal_data_normalize(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.translate(t,
        '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ＋－（）．＠：／＿'
        -- the ASCII tab and line breaks; every Unicode space (Zs), line and
        -- paragraph separator and format character (Cf) of the BMP: 66
        || E'\t\n\u000b\f\r'
        || E'\u00a0\u00ad\u0600\u0601\u0602\u0603\u0604\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2'
        || E'\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b'
        || E'\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u202f\u205f\u2060'
        || E'\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f'
        || E'\u3000\ufeff\ufff9\ufffa\ufffb'
        -- every hyphen and dash (Pd), the hyphen bullet and the minus sign: 25
        || E'\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a\u2e3b'
        || E'\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\u2043\u2212',
        '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+-().@:/_'
        || pg_catalog.repeat(' ', 66)
        || pg_catalog.repeat('-', 25))
$$;
COMMENT ON FUNCTION spotcheck.personal_data_normalize(text) IS
    'the text as the personal-data patterns read it: full-width digits, Latin letters and phone and e-mail punctuation made ASCII, every other space, zero-width or format character a space, every dash a hyphen-minus, character for character (positions are kept)';

-- checked: a match counts only if its last character is the ISO 7064 MOD
-- 11-2 check character of its first 17 digits (separators left out).
CREATE FUNCTION spotcheck.personal_data_patterns(OUT kind text, OUT pattern text, OUT checked boolean)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    WITH part(sep, alone_before, alone_after, phone_word, id_word, not_date, not_hotline, id18, id15) AS (VALUES (
        -- between the groups of a number
        '[ ]?[./_-]?[ ]?',
        '(?<![0-9A-Za-z])(?<![0-9A-Za-z][._-])',
        '(?![0-9A-Za-z])(?![._-][0-9A-Za-z])',
        '(?<=(?:(?<!消防)电话|座机|手机|联系方式|(?<![A-Za-z])[Tt][Ee][Ll])(?:号码|号)?\.?[:：-]?[ ]*)',
        '(?<=(?:身份证件?|身份号码|证件|(?<![A-Za-z])[Ii][Dd])(?:号码|号)?(?:[ ]?[Nn][Oo]\.?)?[:：-]?[ ]*)',
        '(?!(?:19|20)[0-9]{2}[ ]?[./_-][ ]?(?:0?[1-9]|1[0-2])[ ]?[./_-][ ]?(?:0?[1-9]|[12][0-9]|3[01])(?![0-9]))',
        -- the public service numbers (110, 119, 120, 122, 12345, 96119 ...), with an
        -- area code or not, one or several: no one's personal number
        '(?!(?:(?:\(?0[1-9][0-9]{1,2}\)?[ ]?-?[ ]?)?(?:96119|12345|12119|12315|12350|12369|12395|110|119|120|122)(?![0-9])[ 、，,/]*)+(?![ ./_-]*[0-9]))',
        '[1-9][0-9]{5}[ ]?[./_-]?[ ]?(?:19|20)[0-9]{2}[ ]?[./_-]?[ ]?(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[ ]?[./_-]?[ ]?[0-9]{3}[0-9Xx]',
        '[1-9][0-9]{5}[ ]?[./_-]?[ ]?[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[ ]?[./_-]?[ ]?[0-9]{3}'))
    SELECT v.kind, v.pattern, v.checked
      FROM part, LATERAL (VALUES
        (1, 'a mobile phone number',
         part.alone_before || '(?:(?:(?:\+|00)?86|\((?:\+|00)?86\))' || part.sep || ')?'
         || '1[3-9][0-9](?:' || part.sep || '[0-9]{4}){2}' || part.alone_after,
         false),
        (2, 'a landline phone number',
         part.alone_before
         -- (area codes: 010 and 020-029, else four digits 03xx-09xx)
         || '(?:(?:(?:\+|00)86|\((?:\+|00)?86\))' || part.sep || '(?:\(0?(?:10|2[0-9]|[3-9][0-9]{2})\)|0?(?:10|2[0-9]|[3-9][0-9]{2}))'
         || '|\(0(?:10|2[0-9]|[3-9][0-9]{2})\)|0(?:10|2[0-9]|[3-9][0-9]{2}))'
         || part.sep || '[1-9][0-9]{2,3}' || part.sep || '[0-9]{4}'   -- (a local number never starts with 0)
         || '(?:(?:-|转|[Ee][Xx][Tt]\.?)[0-9]{1,6})?' || part.alone_after,
         false),
        (3, 'a phone number',
         part.phone_word || part.not_date || part.not_hotline || '[+(]?[0-9][0-9 ()./_+-]{5,}[0-9]',
         false),
        (4, 'an identity card number',
         part.id_word || '(?:' || part.id18 || '|' || part.id15 || ')(?![0-9A-Za-z])',
         false),
        (5, 'an identity card number',
         part.alone_before || part.id18 || part.alone_after,
         true),
        (6, 'an e-mail address', '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}', false)
      ) AS v(n, kind, pattern, checked)
     ORDER BY v.n
$$;
COMMENT ON FUNCTION spotcheck.personal_data_patterns() IS
    'the regular expressions of personal data that disclosed text must not contain: phone numbers, identity card numbers, e-mail addresses (matched against spotcheck.personal_data_normalize(text); a match of a checked pattern counts only if its ISO 7064 MOD 11-2 check character is right)';

-- Whether an identity card number (its 18 characters; separators are
-- ignored) ends with the check character of its first 17 digits (ISO 7064
-- MOD 11-2, GB 11643: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, the sum
-- modulo 11 giving 1 0 X 9 8 7 6 5 4 3 2).
CREATE FUNCTION spotcheck.personal_data_id_checked(id text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.substr('10X98765432',
               (SELECT pg_catalog.sum(pg_catalog.substr(z.d, x.k::integer, 1)::integer * x.w)
                  FROM pg_catalog.unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::integer[]) WITH ORDINALITY AS x(w, k))::integer % 11 + 1, 1)
           = pg_catalog.substr(z.d, 18, 1)
      FROM (SELECT pg_catalog.upper(pg_catalog.regexp_replace(id, '[^0-9Xx]', '', 'g')) AS d) z
$$;
COMMENT ON FUNCTION spotcheck.personal_data_id_checked(text) IS
    'whether an identity card number ends with the right check character (ISO 7064 MOD 11-2), separators ignored';

-- What personal data the text contains (the first found), or NULL.
CREATE FUNCTION spotcheck.personal_data_found(t text, names text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    nt text;
    p record;
    s integer;
    e integer;
    m text;
    n text;
BEGIN
    IF t IS NULL THEN
        RETURN NULL;
    END IF;
    nt := spotcheck.personal_data_normalize(t);
    FOR p IN SELECT * FROM spotcheck.personal_data_patterns() LOOP
        s := 1;
        LOOP
            s := pg_catalog.regexp_instr(nt, p.pattern, s);
            EXIT WHEN s = 0;
            e := pg_catalog.regexp_instr(nt, p.pattern, s, 1, 1);
            m := pg_catalog.substr(nt, s, e - s);
            IF NOT p.checked OR spotcheck.personal_data_id_checked(m) THEN
                RETURN pg_catalog.format('%s (%s)', p.kind, pg_catalog.regexp_replace(m, '.', '*', 'g'));
            END IF;
            s := s + 1;
        END LOOP;
    END LOOP;
    FOREACH n IN ARRAY COALESCE(names, '{}') LOOP
        IF pg_catalog.char_length(pg_catalog.btrim(n)) >= 2 AND pg_catalog.strpos(t, pg_catalog.btrim(n)) > 0 THEN
            RETURN pg_catalog.format('the name of a person (%s…)', pg_catalog.left(pg_catalog.btrim(n), 1));
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION spotcheck.personal_data_found(text, text[]) IS
    'the kind of personal data the text contains (a phone number, an identity card number, an e-mail address, one of the names), or NULL';

-- The text with every piece of personal data replaced by ＊＊＊.  The
-- patterns are matched in the normalised text and each match is replaced at
-- the same place in the text as written (normalising keeps positions), so
-- the rest of the text is returned as it was written.  A match of a checked
-- pattern whose check character is wrong is left as it is.
CREATE FUNCTION spotcheck.disclosure_mask(t text, names text[] DEFAULT '{}') RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    mask constant text := '＊＊＊';
    nt text;
    p record;
    s integer;
    e integer;
    n text;
BEGIN
    IF t IS NULL THEN
        RETURN NULL;
    END IF;
    nt := spotcheck.personal_data_normalize(t);
    FOR p IN SELECT * FROM spotcheck.personal_data_patterns() LOOP
        -- every match holds a digit or an @, which the mask does not: this ends
        s := 1;
        LOOP
            s := pg_catalog.regexp_instr(nt, p.pattern, s);
            EXIT WHEN s = 0;
            e := pg_catalog.regexp_instr(nt, p.pattern, s, 1, 1);
            IF NOT p.checked OR spotcheck.personal_data_id_checked(pg_catalog.substr(nt, s, e - s)) THEN
                t := pg_catalog.overlay(t, mask, s, e - s);
                nt := pg_catalog.overlay(nt, mask, s, e - s);
                s := s + pg_catalog.char_length(mask);
            ELSE
                s := s + 1;
            END IF;
        END LOOP;
    END LOOP;
    -- the longest names first: a name inside a longer one (王伟, 王伟华) does
    -- not leave the rest of the longer one behind
    FOR n IN SELECT pg_catalog.btrim(x) FROM pg_catalog.unnest(names) x
              WHERE pg_catalog.char_length(pg_catalog.btrim(x)) >= 2
              ORDER BY pg_catalog.char_length(pg_catalog.btrim(x)) DESC LOOP
        t := pg_catalog.replace(t, n, mask);
    END LOOP;
    RETURN t;
END
$$;
COMMENT ON FUNCTION spotcheck.disclosure_mask(text, text[]) IS
    'the text with phone numbers, identity card numbers, e-mail addresses and the given names replaced by ＊＊＊ (for free text shown by the disclosure views)';

-- The names that must not appear in what is disclosed about a plan's target:
-- the unit's responsible person, legal representative and manager, every
-- inspector of the plan's agency (and of its partner department), of the
-- plan's inspector pools and of the target's team.
CREATE FUNCTION spotcheck.target_personal_names(target bigint) RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT ARRAY(
        SELECT DISTINCT n FROM (
            SELECT pg_catalog.unnest(ARRAY[u.responsible_person, u.legal_representative, u.manager_name]) AS n
              FROM spotcheck.plan_target t JOIN spotcheck.units u ON u.code = t.unit WHERE t.id = target
            UNION ALL
            SELECT i.name FROM spotcheck.plan_target t JOIN spotcheck.plan p ON p.id = t.plan
              JOIN spotcheck.inspectors i ON i.agency IN (p.agency, p.partner) WHERE t.id = target
            UNION ALL
            SELECT i.name FROM spotcheck.plan_target t JOIN spotcheck.plan_inspectors x ON x.plan = t.plan
              JOIN spotcheck.inspectors i ON i.code = x.inspector WHERE t.id = target
            UNION ALL
            SELECT i.name FROM spotcheck.plan_team_member m JOIN spotcheck.inspectors i ON i.code = m.inspector
             WHERE m.plan_target = target) z
         WHERE n IS NOT NULL AND pg_catalog.char_length(pg_catalog.btrim(n)) >= 2
         ORDER BY n)
$$;

-- The names that must not appear in the reason a draw was abandoned, of
-- those the text t contains: every inspector of the draws' agencies, of the
-- inspector pools of the plans they draw for (a plan's draws, an amendment's
-- redraws), of their teams' pools and of a member draw's pool (keys
-- "unit/inspector"), and the responsible person, legal representative and
-- manager of every unit in their pools.  Only the names found in t are
-- returned (a province's pool holds tens of thousands of units).  The view
-- spotcheck.public_draws lists the same names for the public.
CREATE FUNCTION spotcheck.draw_personal_names(draws bigint[], t text) RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT ARRAY(
        SELECT DISTINCT z.n FROM (
            SELECT pg_catalog.btrim(y.n) AS n FROM (
                SELECT i.name AS n FROM spotcheck.draw d JOIN spotcheck.inspectors i ON i.agency = d.agency
                 WHERE d.id = ANY (draws)
                UNION ALL
                SELECT i.name FROM spotcheck.plan_inspectors x JOIN spotcheck.inspectors i ON i.code = x.inspector
                 WHERE x.plan IN (SELECT p.id FROM spotcheck.plan p WHERE p.draw = ANY (draws) OR p.member_draw = ANY (draws)
                                  UNION SELECT a.plan FROM spotcheck.plan_amendments a
                                         WHERE a.redraw = ANY (draws) OR a.member_redraw = ANY (draws))
                UNION ALL
                SELECT i.name FROM spotcheck.draw_inspector k JOIN spotcheck.inspectors i ON i.code = k.key
                 WHERE k.draw = ANY (draws)
                UNION ALL
                SELECT i.name FROM spotcheck.draw_pool k JOIN spotcheck.inspectors i ON i.code = pg_catalog.split_part(k.key, '/', 2)
                 WHERE k.draw = ANY (draws)
                UNION ALL
                SELECT pg_catalog.unnest(ARRAY[u.responsible_person, u.legal_representative, u.manager_name])
                  FROM spotcheck.draw_pool k JOIN spotcheck.units u ON u.code = pg_catalog.split_part(k.key, '/', 1)
                 WHERE k.draw = ANY (draws)) y) z
         WHERE pg_catalog.char_length(z.n) >= 2 AND pg_catalog.strpos(t, z.n) > 0
         ORDER BY z.n)
$$;

-- Refuse a reason for abandoning a draw or a plan that carries personal
-- data: the reason of an abandoned draw is published with the draws of the
-- plan (spotcheck.public_draws, the public transcripts, the disclosure
-- package).  what names the act for the message ("abandoning plan 7").
CREATE FUNCTION spotcheck.abandon_reason_check(draws bigint[], reason text, what text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    found text;
BEGIN
    IF reason IS NULL THEN
        RETURN;
    END IF;
    found := spotcheck.personal_data_found(reason, spotcheck.draw_personal_names(draws, reason));
    IF found IS NOT NULL THEN
        RAISE EXCEPTION 'the reason for % contains %', what, found
            USING ERRCODE = '22023',
                  DETAIL = 'The reason a draw is abandoned is published with the draws of the plan (spotcheck.public_draws, the public transcripts, the disclosure package); it may not carry phone numbers, identity card or e-mail details, or the names of inspectors or of the units'' responsible persons (Article 22).',
                  HINT = 'Say what went wrong without naming anyone or giving contact details (e.g. ''抽签操作失误，重新抽取''); keep the particulars in the agency''s own records.';
    END IF;
END
$$;

-- ---- results ------------------------------------------------------------------

CREATE TABLE spotcheck.inspection_results (
    id                 bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    plan_target        bigint NOT NULL REFERENCES spotcheck.plan_target (id),
    plan               bigint NOT NULL REFERENCES spotcheck.plan (id),
    agency             text NOT NULL REFERENCES spotcheck.agencies (code),
    unit               text NOT NULL REFERENCES spotcheck.units (code),
    inspected_on       date NOT NULL,
    category           text NOT NULL REFERENCES spotcheck.result_categories (code),
    findings           text NOT NULL,
    summary            text NOT NULL,
    method             text NOT NULL,
    items              bigint[] NOT NULL,
    inspectors         text[] NOT NULL,
    team_members       bigint[] NOT NULL,
    recordings         text[] NOT NULL,
    publish_within     integer NOT NULL,
    outcome            bigint NOT NULL REFERENCES spotcheck.inspection_outcomes (id),
    corrects           bigint UNIQUE REFERENCES spotcheck.inspection_results (id),
    correction_reason  text,
    objection          bigint,
    recorded_at        timestamptz NOT NULL,
    recorded_by        text NOT NULL,
    on_behalf          boolean NOT NULL,
    digest             text NOT NULL,
    CONSTRAINT inspection_results_two_inspectors CHECK (pg_catalog.cardinality(inspectors) >= 2
                                                        AND pg_catalog.cardinality(team_members) = pg_catalog.cardinality(inspectors)),
    CONSTRAINT inspection_results_recording CHECK (pg_catalog.cardinality(recordings) >= 1),
    CONSTRAINT inspection_results_items CHECK (pg_catalog.cardinality(items) >= 1),
    CONSTRAINT inspection_results_method_known CHECK (method IN ('实地检查', '书面检查', '检验检测', '网络监测', '委托专业机构辅助')),
    CONSTRAINT inspection_results_texts CHECK (pg_catalog.btrim(findings) <> '' AND pg_catalog.btrim(summary) <> ''),
    CONSTRAINT inspection_results_correction CHECK ((corrects IS NULL) = (correction_reason IS NULL)
                                                    AND (objection IS NULL OR corrects IS NOT NULL)),
    CONSTRAINT inspection_results_publish_within CHECK (publish_within BETWEEN 1 AND 60)
);
-- one line of versions per target: one first result, each version corrected at most once
CREATE UNIQUE INDEX inspection_results_one_per_target ON spotcheck.inspection_results (plan_target) WHERE corrects IS NULL;
CREATE INDEX inspection_results_plan_idx ON spotcheck.inspection_results (plan);
CREATE INDEX inspection_results_target_idx ON spotcheck.inspection_results (plan_target);
COMMENT ON TABLE spotcheck.inspection_results IS
    'inspection results of plan targets (Article 18): one row per recorded version, a correction naming the version it corrects; never updated or deleted';
COMMENT ON COLUMN spotcheck.inspection_results.agency IS 'the plan''s agency: the inspecting agency, which publishes the result';
COMMENT ON COLUMN spotcheck.inspection_results.findings IS 'what the inspection found, in full (not disclosed)';
COMMENT ON COLUMN spotcheck.inspection_results.summary IS 'the findings as the public reads them (spotcheck.public_results): no personal data';
COMMENT ON COLUMN spotcheck.inspection_results.method IS 'the check method: 实地检查, 书面检查, 检验检测, 网络监测 or 委托专业机构辅助';
COMMENT ON COLUMN spotcheck.inspection_results.items IS 'the items checked (spotcheck.check_items ids)';
COMMENT ON COLUMN spotcheck.inspection_results.inspectors IS 'the inspectors present (at least two, Article 18), of the target''s current team';
COMMENT ON COLUMN spotcheck.inspection_results.team_members IS 'their assignments (spotcheck.plan_team_member ids), in the same order';
COMMENT ON COLUMN spotcheck.inspection_results.recordings IS 'references of the body-camera recordings (执法记录仪), at least one';
COMMENT ON COLUMN spotcheck.inspection_results.publish_within IS 'working days after the inspection within which the result is to be published (the rule in force when recorded)';
COMMENT ON COLUMN spotcheck.inspection_results.outcome IS 'the live spotcheck.inspection_outcomes row this version counts as';
COMMENT ON COLUMN spotcheck.inspection_results.corrects IS 'the version this row corrects (NULL for the first result of a target)';
COMMENT ON COLUMN spotcheck.inspection_results.objection IS 'the upheld objection that made this correction, if any';
COMMENT ON COLUMN spotcheck.inspection_results.on_behalf IS 'entered by a planner from the inspectors'' signed record, not by one of them';
COMMENT ON COLUMN spotcheck.inspection_results.digest IS 'SHA-256 of the content (spotcheck.result_digest), also in the result.record audit entry';

CREATE TRIGGER inspection_results_no_update BEFORE UPDATE OR DELETE ON spotcheck.inspection_results
    FOR EACH ROW EXECUTE FUNCTION spotcheck.refuse_change('A recorded result is changed only by a correction: spotcheck.correct_result, or an upheld objection.');
CREATE TRIGGER inspection_results_no_truncate BEFORE TRUNCATE ON spotcheck.inspection_results
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change('A recorded result is changed only by a correction: spotcheck.correct_result, or an upheld objection.');
SELECT pg_catalog.pg_extension_config_dump('spotcheck.inspection_results', '');

-- Rows that only the extension's functions write: a result version and the
-- duty-fulfilment record (inspection outcome) that names its plan target,
-- a publication, an objection.  Each of those functions writes its audit
-- entry first, naming the row it is about to write; a row that no entry of
-- this transaction (origin 'extension', which no role can write) announces
-- was written by hand, whoever wrote it — an application, a planner, the
-- tables' owner — and is refused.  (A restore does not fire it: it brings
-- back rows that were announced when they were written.  A superuser, who
-- may call the extension's internal functions, is beyond it: doc/audit.md.)
CREATE FUNCTION spotcheck.announced_row_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    what text;
    via text;
    announced boolean;
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'inspection_results' THEN
        what := pg_catalog.format('result %s', NEW.id);
        via := 'spotcheck.record_result, or spotcheck.correct_result for a correction';
        announced := spotcheck.audit_announced('result.record', 'result:' || NEW.id, pg_catalog.jsonb_build_object('digest', NEW.digest))
                     OR spotcheck.audit_announced('result.correct', 'result:' || NEW.id, pg_catalog.jsonb_build_object('digest', NEW.digest));
    WHEN 'inspection_outcomes' THEN
        -- (the outcome of result N has source_ref result:N, the object of its entry)
        what := pg_catalog.format('an inspection outcome of plan target %s', NEW.plan_target);
        via := 'spotcheck.record_result, which records it with the result; an outcome imported from another system names no plan target';
        announced := spotcheck.audit_announced('result.record', NEW.source_ref,
                                               pg_catalog.jsonb_build_object('outcome_row', NEW.id, 'target', NEW.plan_target))
                     OR spotcheck.audit_announced('result.correct', NEW.source_ref,
                                                  pg_catalog.jsonb_build_object('outcome_row', NEW.id, 'target', NEW.plan_target));
    WHEN 'publications' THEN
        what := pg_catalog.format('publication %s', NEW.id);
        via := 'spotcheck.publish_item_list, spotcheck.publish_plan or spotcheck.publish_results';
        announced := spotcheck.audit_announced('publication.' || NEW.kind, NULL,
                         pg_catalog.jsonb_build_object('publication', NEW.id, 'snapshot_digest', NEW.snapshot_digest));
    WHEN 'objections' THEN
        what := pg_catalog.format('objection %s', NEW.id);
        via := 'spotcheck.file_objection';
        announced := spotcheck.audit_announced('objection.file', 'objection:' || NEW.id,
                         pg_catalog.jsonb_build_object('received_on', spotcheck.plan_day_label(NEW.received_on),
                                                       'due_on', spotcheck.plan_day_label(NEW.due_on)));
    END CASE;
    IF NOT announced THEN
        RAISE EXCEPTION '% cannot be written by hand', what
            USING ERRCODE = '42501',
                  DETAIL = 'No audit entry of the extension in this transaction announces it.',
                  HINT = 'Use ' || via || '.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION spotcheck.announced_row_guard() IS
    'internal: refuses a result, a plan target''s inspection outcome, a publication or an objection that no audit entry of the extension in the same transaction announces';
REVOKE ALL ON FUNCTION spotcheck.announced_row_guard() FROM PUBLIC;

CREATE TRIGGER inspection_results_announced BEFORE INSERT ON spotcheck.inspection_results
    FOR EACH ROW EXECUTE FUNCTION spotcheck.announced_row_guard();
CREATE TRIGGER inspection_outcomes_of_result BEFORE INSERT ON spotcheck.inspection_outcomes
    FOR EACH ROW WHEN (NEW.plan_target IS NOT NULL) EXECUTE FUNCTION spotcheck.announced_row_guard();

-- The content of a result, hashed: every column but the digest, times in
-- UTC, so that the digest does not depend on the session's settings.
CREATE FUNCTION spotcheck.result_digest(r spotcheck.inspection_results) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_object(
        'id', r.id, 'plan_target', r.plan_target, 'plan', r.plan, 'agency', r.agency, 'unit', r.unit,
        'inspected_on', spotcheck.plan_day_label(r.inspected_on), 'category', r.category, 'findings', r.findings,
        'summary', r.summary, 'method', r.method, 'items', r.items, 'inspectors', r.inspectors,
        'team_members', r.team_members, 'recordings', r.recordings, 'publish_within', r.publish_within,
        'outcome', r.outcome, 'corrects', r.corrects, 'correction_reason', r.correction_reason,
        'objection', r.objection, 'recorded_at', spotcheck.draw_time(r.recorded_at), 'recorded_by', r.recorded_by,
        'on_behalf', r.on_behalf)::text, 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION spotcheck.result_digest(spotcheck.inspection_results) IS
    'SHA-256 (hex) of a result''s content, times in UTC: what its audit entry records';

-- ---- categories: protection (needs the results table) ----------------------------

CREATE FUNCTION spotcheck.result_categories_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    used boolean;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.shipped THEN
        RAISE EXCEPTION 'result category "%" (%) is shipped with the extension and cannot be changed or deleted', OLD.code, OLD.name
            USING ERRCODE = '55000', HINT = 'Add a category of your own instead.';
    END IF;
    used := EXISTS (SELECT FROM spotcheck.inspection_results r WHERE r.category OPERATOR(pg_catalog.=) OLD.code);
    IF used AND (TG_OP = 'DELETE' OR (NEW.code, NEW.name, NEW.outcome, NEW.inspected)
                                      IS DISTINCT FROM (OLD.code, OLD.name, OLD.outcome, OLD.inspected)) THEN
        RAISE EXCEPTION 'result category "%" is used by recorded results and cannot be % ', OLD.code,
                        CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
            USING ERRCODE = '55000', HINT = 'A result keeps the category it was recorded as; only its position and source can change.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.code := pg_catalog.btrim(NEW.code);
    NEW.name := pg_catalog.btrim(NEW.name);
    NEW.outcome := pg_catalog.lower(pg_catalog.btrim(NEW.outcome));
    IF NEW.code IS NULL OR NEW.code !~ '^[a-z][a-z0-9_]{1,39}$' THEN
        RAISE EXCEPTION 'invalid result category code %', pg_catalog.quote_nullable(NEW.code)
            USING ERRCODE = '22023', HINT = 'A code is 2 to 40 lower-case letters, digits or "_", starting with a letter, e.g. fire_warning.';
    END IF;
    IF NEW.name IS NULL OR NEW.name = '' THEN
        RAISE EXCEPTION 'result category "%" needs a name', NEW.code
            USING ERRCODE = '23502', HINT = 'Give the name the public reads, e.g. 发现问题已责令改正.';
    END IF;
    IF NEW.outcome IS NULL OR NEW.outcome NOT IN ('compliant', 'violation', 'penalised') THEN
        RAISE EXCEPTION 'unknown outcome % for result category "%"', pg_catalog.quote_nullable(NEW.outcome), NEW.code
            USING ERRCODE = '22023',
                  HINT = 'A category counts as compliant (checked, nothing wrong found), violation (a problem found, or the unit could not be checked) or penalised (a penalty case opened).';
    END IF;
    IF NEW.inspected IS NULL OR NEW.position IS NULL OR NEW.source IS NULL OR pg_catalog.btrim(NEW.source) = '' THEN
        RAISE EXCEPTION 'result category "%" needs inspected, position and source', NEW.code
            USING ERRCODE = '23502', HINT = 'Say whether the unit was checked, where the category sorts, and where it comes from (e.g. local).';
    END IF;
    NEW.shipped := false;
    RETURN NEW;
END
$$;
CREATE TRIGGER result_categories_guard BEFORE INSERT OR UPDATE OR DELETE ON spotcheck.result_categories
    FOR EACH ROW EXECUTE FUNCTION spotcheck.result_categories_guard();
CREATE TRIGGER result_categories_no_truncate BEFORE TRUNCATE ON spotcheck.result_categories
    FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.refuse_change('Delete the categories of your own one by one; shipped ones stay.');
CREATE TRIGGER result_categories_audit AFTER INSERT OR UPDATE OR DELETE ON spotcheck.result_categories
    FOR EACH ROW EXECUTE FUNCTION spotcheck.audit_row_change('code');

-- ---- recording ----------------------------------------------------------------

-- A category named by its code or its name.
CREATE FUNCTION spotcheck.result_category(category text) RETURNS spotcheck.result_categories
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c spotcheck.result_categories;
BEGIN
    SELECT * INTO c FROM spotcheck.result_categories x
     WHERE x.code OPERATOR(pg_catalog.=) pg_catalog.btrim(category) OR x.name OPERATOR(pg_catalog.=) pg_catalog.btrim(category);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown result category %', pg_catalog.quote_nullable(category)
            USING ERRCODE = '22023',
                  HINT = 'Name a category of spotcheck.result_categories by its code or name, e.g. no_problem (未发现问题) or problem_pending (发现问题待后续处理).';
    END IF;
    RETURN c;
END
$$;

-- The period in which a target is inspected: from the first day of the
-- plan month to the end of the month, or to the target's current deadline
-- when that is later.  (An inspection dated before the draw that selected
-- the target was executed is recorded, and named by the compliance report.)
CREATE FUNCTION spotcheck.target_period(t spotcheck.plan_target, OUT first_day date, OUT last_day date)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.month, GREATEST(spotcheck.plan_month_end(p.month), t.deadline)
      FROM spotcheck.plan p
     WHERE p.id = t.plan
$$;

-- A target for a result: it exists, the caller may read its plan, its draw
-- is revealed, and it is still in the plan.
CREATE FUNCTION spotcheck.result_target(target bigint, OUT t spotcheck.plan_target, OUT p spotcheck.plan)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d spotcheck.draw;
    a record;
BEGIN
    SELECT * INTO t FROM spotcheck.plan_target x WHERE x.id = target;
    IF FOUND THEN
        SELECT * INTO p FROM spotcheck.plan x WHERE x.id = t.plan;
        SELECT * INTO d FROM spotcheck.draw x WHERE x.id = t.draw;
    END IF;
    IF NOT FOUND OR NOT (spotcheck.caller_may_read(p.agency) OR (p.partner IS NOT NULL AND spotcheck.caller_may_read(p.partner)))
       OR NOT spotcheck.draw_revealed(d) THEN
        RAISE EXCEPTION 'plan target % does not exist', COALESCE(target::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.plan_targets lists the targets of the plans you may read (column target).';
    END IF;
    IF p.abandoned_at IS NOT NULL THEN
        RAISE EXCEPTION 'plan % of target % was abandoned at % by %', p.id, t.id, spotcheck.draw_time(p.abandoned_at), p.abandoned_by
            USING ERRCODE = '55000', DETAIL = 'Reason: ' || spotcheck.draw_clip(p.abandon_reason), HINT = 'No result is recorded for an abandoned plan.';
    END IF;
    IF t.removed_by IS NOT NULL THEN
        SELECT x.id, x.reason, x.decided_at INTO a FROM spotcheck.plan_amendments x WHERE x.id = t.removed_by;
        RAISE EXCEPTION 'target % (unit "%") was removed from plan % by amendment %, approved on %: no result is recorded for it',
                        t.id, t.unit, p.id, a.id, spotcheck.plan_day_label(spotcheck.plan_local_day(a.decided_at))
            USING ERRCODE = '55000', DETAIL = 'Reason: ' || spotcheck.draw_clip(a.reason),
                  HINT = 'A target taken out of a published plan by an approved amendment is not inspected under the plan.';
    END IF;
END
$$;

-- Check a result and write it, with its outcome and its audit entry.  For
-- record_result (corrects NULL) and for corrections.  The caller's rights
-- have been checked; every argument is the value to record.
CREATE FUNCTION spotcheck.result_write(t spotcheck.plan_target, p spotcheck.plan, inspected_on date, category text,
                                       findings text, summary text, method text, inspectors text[], recordings text[],
                                       items bigint[], corrects spotcheck.inspection_results, correction_reason text,
                                       objection bigint, on_behalf boolean)
RETURNS spotcheck.inspection_results
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c spotcheck.result_categories;
    r spotcheck.inspection_results;
    period record;
    today date := spotcheck.plan_local_day(pg_catalog.now());
    team record;
    present text[];
    members bigint[];
    refs text[];
    item_ids bigint[];
    bad text;
    found text;
    within integer;
    old_outcome spotcheck.inspection_outcomes;
    outcome_id bigint;
    what text := CASE WHEN corrects.id IS NULL THEN pg_catalog.format('the result of target %s', t.id)
                      ELSE pg_catalog.format('the correction of result %s', corrects.id) END;
BEGIN
    -- the date: in the plan period, not in the future
    IF inspected_on IS NULL THEN
        RAISE EXCEPTION '% needs the date of the inspection', what
            USING ERRCODE = '22004', HINT = 'Pass inspected_on, the day the inspection took place.';
    END IF;
    IF inspected_on > today THEN
        RAISE EXCEPTION '% is dated %, in the future', what, spotcheck.plan_day_label(inspected_on)
            USING ERRCODE = '22008', HINT = 'Record a result once the inspection has taken place, with its date (China Standard Time).';
    END IF;
    period := spotcheck.target_period(t);
    IF inspected_on < period.first_day OR inspected_on > period.last_day THEN
        RAISE EXCEPTION '% is dated %, outside the plan period: target % of plan % (%) is inspected from % to %', what,
                        spotcheck.plan_day_label(inspected_on), t.id, p.id, spotcheck.plan_month_label(p.month),
                        spotcheck.plan_day_label(period.first_day), spotcheck.plan_day_label(period.last_day)
            USING ERRCODE = '22008',
                  DETAIL = pg_catalog.format('The period runs from the first day of the plan month to the end of the month or the target''s deadline (%s), whichever is later.',
                                             spotcheck.plan_day_label(t.deadline)),
                  HINT = 'An inspection outside its plan is not a result of the plan (Article 24); a later deadline needs an approved amendment.';
    END IF;

    c := spotcheck.result_category(category);
    IF findings IS NULL OR pg_catalog.btrim(findings) = '' THEN
        RAISE EXCEPTION '% needs its findings', what
            USING ERRCODE = '23502', HINT = 'Describe what the inspection found (for 未发现问题, say what was checked).';
    END IF;
    IF method IS NULL OR pg_catalog.btrim(method) NOT IN ('实地检查', '书面检查', '检验检测', '网络监测', '委托专业机构辅助') THEN
        RAISE EXCEPTION 'unknown check method % for %', pg_catalog.quote_nullable(method), what
            USING ERRCODE = '22023', HINT = 'The check methods are 实地检查, 书面检查, 检验检测, 网络监测 and 委托专业机构辅助.';
    END IF;
    method := pg_catalog.btrim(method);

    -- the inspectors: at least two, all of the current team (Article 18)
    present := ARRAY(SELECT DISTINCT pg_catalog.btrim(x) FROM pg_catalog.unnest(inspectors) x WHERE x IS NOT NULL);
    IF pg_catalog.cardinality(present) < COALESCE(pg_catalog.cardinality(inspectors), 0) THEN
        RAISE EXCEPTION '% names an inspector twice, or a null one: %', what, pg_catalog.array_to_string(inspectors, ', ', 'null')
            USING ERRCODE = '22023', HINT = 'Name each inspector present once, by code.';
    END IF;
    IF pg_catalog.cardinality(present) < 2 THEN
        RAISE EXCEPTION '% names % inspector%: at least two inspectors must be present (Article 18)', what,
                        pg_catalog.cardinality(present), CASE WHEN pg_catalog.cardinality(present) = 1 THEN '' ELSE 's' END
            USING ERRCODE = '23514', HINT = 'Name (by code) every inspector of the team who took part; an inspection by one inspector is not a valid spot check.';
    END IF;
    SELECT pg_catalog.array_agg(m.inspector ORDER BY m.member) AS codes,
           pg_catalog.array_agg(m.inspector ORDER BY m.member) FILTER (WHERE m.side = 'ours') AS ours
      INTO team
      FROM spotcheck.plan_team_member m JOIN spotcheck.draw d ON d.id = m.draw
     WHERE m.plan_target = t.id AND m.replaced_by IS NULL AND spotcheck.draw_revealed(d);
    SELECT pg_catalog.string_agg(x, ', ' ORDER BY x) INTO bad FROM pg_catalog.unnest(present) x WHERE NOT x = ANY (COALESCE(team.codes, '{}'));
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION '% names % who % not on the current team of target %', what, bad,
                        CASE WHEN bad LIKE '%,%' THEN 'are' ELSE 'is' END, t.id
            USING ERRCODE = '23514',
                  DETAIL = 'The current team: ' || COALESCE((SELECT pg_catalog.string_agg(x, ', ' ORDER BY x) FROM pg_catalog.unnest(team.codes) x), 'none') || '.',
                  HINT = 'Only the drawn team inspects a target; a drawn inspector is changed only by an approved and filed reassignment followed by a new draw (Article 16).';
    END IF;
    IF NOT (present OPERATOR(pg_catalog.&&) COALESCE(team.ours, '{}')) THEN
        RAISE EXCEPTION '% names only inspectors of the partner department %: at least one of the agency''s own inspectors must be present', what, p.partner
            USING ERRCODE = '23514', HINT = 'A joint check is a fire supervision check with the partner, not instead of it.';
    END IF;
    present := ARRAY(SELECT x FROM pg_catalog.unnest(team.codes) WITH ORDINALITY AS z(x, k) WHERE x = ANY (present) ORDER BY z.k);
    members := ARRAY(SELECT (SELECT m.id FROM spotcheck.plan_team_member m
                              WHERE m.plan_target = t.id AND m.inspector = x AND m.replaced_by IS NULL)
                       FROM pg_catalog.unnest(present) WITH ORDINALITY AS z(x, k) ORDER BY z.k);

    -- the recordings: at least one reference (Article 18)
    refs := ARRAY(SELECT pg_catalog.btrim(x) FROM pg_catalog.unnest(recordings) WITH ORDINALITY AS z(x, k) ORDER BY z.k);
    IF pg_catalog.cardinality(refs) IS NULL OR pg_catalog.cardinality(refs) = 0 THEN
        RAISE EXCEPTION '% has no body-camera recording: at least one recording reference is required (执法记录仪, Article 18)', what
            USING ERRCODE = '23502', HINT = 'Pass recordings => ARRAY[''<the reference of each recording>''], as filed in the recording system.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.unnest(refs) x WHERE x IS NULL OR x = '' OR x ~ '[\x01-\x1f\x7f]' OR pg_catalog.char_length(x) > 200) THEN
        RAISE EXCEPTION '% has an empty, overlong or unprintable recording reference', what
            USING ERRCODE = '22023', HINT = 'A recording reference is 1 to 200 printable characters.';
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT x) FROM pg_catalog.unnest(refs) x) < pg_catalog.cardinality(refs) THEN
        RAISE EXCEPTION '% names a recording twice', what USING ERRCODE = '22023', HINT = 'Name each recording once.';
    END IF;

    -- the items checked: the target's by default; others must be in force
    item_ids := COALESCE(items, ARRAY(SELECT ti.item_id FROM spotcheck.plan_target_item ti WHERE ti.plan_target = t.id ORDER BY ti.item_id));
    IF pg_catalog.cardinality(item_ids) = 0 OR EXISTS (SELECT FROM pg_catalog.unnest(item_ids) x WHERE x IS NULL) THEN
        RAISE EXCEPTION '% names no item checked', what
            USING ERRCODE = '22023', HINT = 'Pass the ids of the items checked, or leave items out to record the target''s items (spotcheck.plan_targets.item_ids).';
    END IF;
    item_ids := ARRAY(SELECT DISTINCT x FROM pg_catalog.unnest(item_ids) x ORDER BY x);
    SELECT pg_catalog.string_agg(x::text, ', ' ORDER BY x) INTO bad FROM pg_catalog.unnest(item_ids) x
     WHERE NOT EXISTS (SELECT FROM spotcheck.plan_target_item ti WHERE ti.plan_target = t.id AND ti.item_id = x)
       AND NOT EXISTS (SELECT FROM spotcheck.effective_check_items(p.agency, inspected_on) e WHERE e.id = x);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION '% names item % not in force for agency "%" on %', what, bad, p.agency, spotcheck.plan_day_label(inspected_on)
            USING ERRCODE = '22023', HINT = 'Items come from the item list (spotcheck.effective_check_items); the target''s own items are in spotcheck.plan_targets.item_ids.';
    END IF;

    -- the summary the public reads: no personal data (Article 22)
    summary := COALESCE(NULLIF(pg_catalog.btrim(summary), ''), pg_catalog.btrim(findings));
    found := spotcheck.personal_data_found(summary, spotcheck.target_personal_names(t.id));
    IF found IS NOT NULL THEN
        RAISE EXCEPTION 'the public summary of % contains %', what, found
            USING ERRCODE = '22023',
                  DETAIL = 'The summary (the findings, when no summary is given) is published with the result; it may not carry phone numbers, identity card or e-mail details, or the names of the unit''s responsible persons or of inspectors (Article 22).',
                  HINT = 'Pass summary => ''...'' written for publication; the findings themselves stay internal.';
    END IF;
    IF correction_reason IS NOT NULL THEN
        found := spotcheck.personal_data_found(correction_reason, spotcheck.target_personal_names(t.id));
        IF found IS NOT NULL THEN
            RAISE EXCEPTION 'the reason of % contains %', what, found
                USING ERRCODE = '22023', HINT = 'A correction and its reason are published; write the reason without personal data (Article 22).';
        END IF;
    END IF;

    within := spotcheck.result_publish_days(p.agency);

    -- the outcome for the duty-fulfilment factor: a new one unless a
    -- correction keeps both the outcome and the date
    r.id := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('spotcheck.inspection_results', 'id'));
    IF corrects.id IS NOT NULL THEN
        SELECT * INTO old_outcome FROM spotcheck.inspection_outcomes o WHERE o.id = corrects.outcome;
    END IF;
    IF old_outcome.id IS NOT NULL AND old_outcome.voided_at IS NULL
       AND old_outcome.outcome = c.outcome AND old_outcome.observed_on = inspected_on THEN
        outcome_id := old_outcome.id;
    ELSE
        outcome_id := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('spotcheck.inspection_outcomes', 'id'));
    END IF;

    r.plan_target := t.id;
    r.plan := p.id;
    r.agency := p.agency;
    r.unit := t.unit;
    r.inspected_on := inspected_on;
    r.category := c.code;
    r.findings := pg_catalog.btrim(findings);
    r.summary := summary;
    r.method := method;
    r.items := item_ids;
    r.inspectors := present;
    r.team_members := members;
    r.recordings := refs;
    r.publish_within := within;
    r.outcome := outcome_id;
    r.corrects := corrects.id;
    r.correction_reason := correction_reason;
    r.objection := objection;
    r.recorded_at := pg_catalog.clock_timestamp();
    r.recorded_by := spotcheck.caller();
    r.on_behalf := on_behalf;
    r.digest := spotcheck.result_digest(r);

    -- the audit entry first: it announces the rows written next, which
    -- spotcheck.announced_row_guard requires of every result and of every
    -- outcome that names a plan target
    PERFORM spotcheck.audit_record(CASE WHEN corrects.id IS NULL THEN 'result.record' ELSE 'result.correct' END,
        'result:' || r.id, p.agency, pg_catalog.jsonb_build_object(
            'plan', p.id, 'target', t.id, 'unit', t.unit, 'inspected_on', spotcheck.plan_day_label(inspected_on),
            'category', c.code, 'outcome', c.outcome, 'outcome_row', outcome_id, 'corrects', corrects.id,
            'objection', objection, 'inspectors', pg_catalog.cardinality(present), 'recordings', pg_catalog.cardinality(refs),
            'digest', r.digest));
    IF outcome_id IS DISTINCT FROM old_outcome.id THEN
        IF old_outcome.id IS NOT NULL AND old_outcome.voided_at IS NULL THEN
            UPDATE spotcheck.inspection_outcomes o
               SET void_reason = pg_catalog.format('result %s corrected by result %s: %s', corrects.id, r.id, correction_reason)
             WHERE o.id = old_outcome.id;
        END IF;
        INSERT INTO spotcheck.inspection_outcomes (id, unit, agency, observed_on, outcome, source, source_ref, plan_target, note)
        OVERRIDING SYSTEM VALUE
        VALUES (outcome_id, t.unit, p.agency, inspected_on, c.outcome, 'plan_result', 'result:' || r.id, t.id, c.name);
    END IF;
    INSERT INTO spotcheck.inspection_results SELECT r.*;
    RETURN r;
END
$$;

-- The current version of a target's result (NULL when none is recorded).
CREATE FUNCTION spotcheck.current_result(target bigint) RETURNS spotcheck.inspection_results
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.* FROM spotcheck.inspection_results r
     WHERE r.plan_target = target
       AND NOT EXISTS (SELECT FROM spotcheck.inspection_results c WHERE c.corrects = r.id)
$$;

-- Whether the inspection of a target is recorded: a result names it.  A
-- recorded inspection freezes the target's team and deadline and keeps it
-- in its plan: the reassignment and amendment workflows (62_*, 63_*) refuse
-- to change it.  A result counts even when its outcome row was voided: the
-- result itself is the record.  (An inspection outcome names a plan target
-- only as the duty-fulfilment record of a result: announced_row_guard.)
CREATE FUNCTION spotcheck.target_inspected(target bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT FROM spotcheck.inspection_results r WHERE r.plan_target OPERATOR(pg_catalog.=) target)
$$;
COMMENT ON FUNCTION spotcheck.target_inspected(bigint) IS
    'internal: whether an inspection of the target is recorded (a result names it)';

CREATE FUNCTION spotcheck.record_result(target bigint, inspected_on date, category text, findings text, method text,
                                        inspectors text[], recordings text[], items bigint[] DEFAULT NULL,
                                        summary text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET TimeZone = 'Asia/Shanghai' AS $$
DECLARE
    x record;
    me text;
    existing spotcheck.inspection_results;
    behalf boolean := false;
BEGIN
    -- one result at a time per target, and none while an amendment changes it
    PERFORM FROM spotcheck.plan_target y WHERE y.id OPERATOR(pg_catalog.=) target FOR UPDATE;
    x := spotcheck.result_target(target);
    -- who: an inspector of the current team who was present, or a planner of
    -- the agency entering the team's signed record (the current team: not
    -- replaced, and drawn by a draw whose execution has committed — a
    -- replacement whose approval has not committed is not on it yet)
    me := spotcheck.caller_inspector();
    IF spotcheck.caller_is_superuser() THEN
        behalf := NOT COALESCE(me = ANY (inspectors), false);
    ELSIF me IS NOT NULL AND spotcheck.caller_in('spotcheck_inspector')
          AND EXISTS (SELECT FROM spotcheck.plan_team_member m JOIN spotcheck.draw d ON d.id = m.draw
                       WHERE m.plan_target = (x.t).id AND m.inspector = me AND m.replaced_by IS NULL AND spotcheck.draw_revealed(d)) THEN
        IF NOT me = ANY (COALESCE(inspectors, '{}')) THEN
            RAISE EXCEPTION 'permission denied: inspector % records only an inspection of target % he or she took part in', me, (x.t).id
                USING ERRCODE = '42501', HINT = 'Name yourself among the inspectors present, or let an inspector who was present record it.';
        END IF;
    ELSIF spotcheck.caller_in('spotcheck_planner') AND (x.p).agency = ANY (spotcheck.caller_agencies()) THEN
        behalf := true;
    ELSE
        RAISE EXCEPTION 'permission denied: role % may not record the result of target %', spotcheck.caller(), (x.t).id
            USING ERRCODE = '42501',
                  DETAIL = CASE WHEN me IS NULL THEN 'The role is bound to no inspector (spotcheck.inspector_logins).'
                                ELSE pg_catalog.format('Inspector %s is not on the current team of target %s.', me, (x.t).id) END,
                  HINT = pg_catalog.format('Results are recorded by the inspectors of the target''s current team, or by a planner of agency %s from their signed record.', (x.p).agency);
    END IF;
    existing := spotcheck.current_result((x.t).id);
    IF existing.id IS NOT NULL THEN
        RAISE EXCEPTION 'target % already has a result: result %, recorded at % by %', (x.t).id, existing.id,
                        spotcheck.draw_time(existing.recorded_at), existing.recorded_by
            USING ERRCODE = '23505',
                  HINT = pg_catalog.format('A result is changed only by a correction: spotcheck.correct_result(%s, reason, ...) by the agency head, or an upheld objection.', existing.id);
    END IF;
    RETURN (spotcheck.result_write(x.t, x.p, inspected_on, category, findings, summary, method, inspectors, recordings,
                                   items, NULL, NULL, NULL, behalf)).id;
END
$$;
COMMENT ON FUNCTION spotcheck.record_result(bigint, date, text, text, text, text[], text[], bigint[], text) IS
    'record the result of a plan target (Article 18): date in the plan period, category, findings, method, inspectors present (two or more of the current team), body-camera recordings, items (default the target''s), the public summary (default the findings); returns the result id';

-- A correction, as the head makes it: every value not given is kept.
CREATE FUNCTION spotcheck.result_correct(r spotcheck.inspection_results, reason text, objection bigint,
                                         category text, findings text, summary text, inspected_on date, method text,
                                         inspectors text[], recordings text[], items bigint[])
RETURNS spotcheck.inspection_results
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t spotcheck.plan_target;
    p spotcheck.plan;
    c text;
BEGIN
    IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
        RAISE EXCEPTION 'a correction of result % needs its reason', r.id
            USING ERRCODE = '23502', HINT = 'Say what was wrong; the reason is published with the correction.';
    END IF;
    c := (SELECT x.id::text FROM spotcheck.inspection_results x WHERE x.corrects = r.id);
    IF c IS NOT NULL THEN
        RAISE EXCEPTION 'result % was already corrected by result %', r.id, c
            USING ERRCODE = '55000', HINT = pg_catalog.format('Correct the current version, result %s.', (spotcheck.current_result(r.plan_target)).id);
    END IF;
    IF category IS NULL AND findings IS NULL AND summary IS NULL AND inspected_on IS NULL AND method IS NULL
       AND inspectors IS NULL AND recordings IS NULL AND items IS NULL THEN
        RAISE EXCEPTION 'the correction of result % changes nothing', r.id
            USING ERRCODE = '22023', HINT = 'Pass the corrected values: category, findings, summary, inspected_on, method, inspectors, recordings or items.';
    END IF;
    SELECT * INTO t FROM spotcheck.plan_target x WHERE x.id = r.plan_target;
    SELECT * INTO p FROM spotcheck.plan x WHERE x.id = r.plan;
    RETURN spotcheck.result_write(t, p, COALESCE(inspected_on, r.inspected_on), COALESCE(category, r.category),
        COALESCE(findings, r.findings),
        -- new findings without a new summary: the summary follows the findings
        CASE WHEN summary IS NOT NULL THEN summary WHEN findings IS NOT NULL THEN NULL ELSE r.summary END,
        COALESCE(method, r.method), COALESCE(inspectors, r.inspectors), COALESCE(recordings, r.recordings),
        COALESCE(items, r.items), r, pg_catalog.btrim(reason), objection, false);
END
$$;

-- A result for a change by the caller: it exists and the caller may read it.
CREATE FUNCTION spotcheck.result_for_reading(result bigint) RETURNS spotcheck.inspection_results
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r spotcheck.inspection_results;
    p spotcheck.plan;
BEGIN
    SELECT * INTO r FROM spotcheck.inspection_results x WHERE x.id = result;
    IF FOUND THEN
        SELECT * INTO p FROM spotcheck.plan x WHERE x.id = r.plan;
    END IF;
    IF NOT FOUND OR NOT (spotcheck.caller_may_read(p.agency) OR (p.partner IS NOT NULL AND spotcheck.caller_may_read(p.partner))) THEN
        RAISE EXCEPTION 'result % does not exist', COALESCE(result::text, 'null')
            USING ERRCODE = 'P0002', HINT = 'spotcheck.results lists the results you may read.';
    END IF;
    RETURN r;
END
$$;

CREATE FUNCTION spotcheck.correct_result(result bigint, reason text, category text DEFAULT NULL, findings text DEFAULT NULL,
                                         summary text DEFAULT NULL, inspected_on date DEFAULT NULL, method text DEFAULT NULL,
                                         inspectors text[] DEFAULT NULL, recordings text[] DEFAULT NULL, items bigint[] DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET TimeZone = 'Asia/Shanghai' AS $$
DECLARE
    r spotcheck.inspection_results;
    n spotcheck.inspection_results;
BEGIN
    r := spotcheck.result_for_reading(result);
    PERFORM spotcheck.require_agency_role(r.agency, ARRAY['spotcheck_head']::name[], 'correct result ' || r.id);
    PERFORM FROM spotcheck.plan_target y WHERE y.id OPERATOR(pg_catalog.=) r.plan_target FOR UPDATE;
    PERFORM spotcheck.result_target(r.plan_target);
    n := spotcheck.result_correct(r, reason, NULL, category, findings, summary, inspected_on, method, inspectors, recordings, items);
    -- a published result is never replaced in silence: its correction is published with it
    PERFORM spotcheck.publication_follow_correction(r, n);
    RETURN n.id;
END
$$;
COMMENT ON FUNCTION spotcheck.correct_result(bigint, text, text, text, text, date, text, text[], text[], bigint[]) IS
    'correct a result (the agency head): a new version naming the one it corrects, with the reason; values not given are kept; the correction of a published result is published at once';

REVOKE ALL ON spotcheck.result_categories, spotcheck.inspection_results FROM PUBLIC;
GRANT SELECT ON spotcheck.result_categories
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
GRANT INSERT, UPDATE, DELETE ON spotcheck.result_categories TO spotcheck_admin;
GRANT SELECT ON spotcheck.inspection_results
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
ALTER TABLE spotcheck.inspection_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY inspection_results_read ON spotcheck.inspection_results FOR SELECT USING (plan IN (SELECT spotcheck.caller_plans()));
GRANT EXECUTE ON FUNCTION spotcheck.record_result(bigint, date, text, text, text, text[], text[], bigint[], text)
    TO spotcheck_planner, spotcheck_inspector;
GRANT EXECUTE ON FUNCTION spotcheck.correct_result(bigint, text, text, text, text, date, text, text[], text[], bigint[])
    TO spotcheck_head;
GRANT EXECUTE ON FUNCTION spotcheck.personal_data_found(text, text[]), spotcheck.disclosure_mask(text, text[]),
    spotcheck.personal_data_patterns(), spotcheck.personal_data_normalize(text), spotcheck.personal_data_id_checked(text)
    TO spotcheck_admin, spotcheck_planner, spotcheck_head, spotcheck_upper, spotcheck_inspector;
