-- Personal data in the text the public reads (Article 22): what
-- spotcheck.personal_data_found reports and spotcheck.disclosure_mask masks.
-- Each way of writing a phone number, an identity card number or an e-mail
-- address is found (its kind named, its characters starred) and masked in
-- place, the rest of the text kept as written; full-width digits and
-- punctuation count as their ASCII twins, every Unicode space, zero-width or
-- format character as a space, every dash as '-'.  Codes, dates, times,
-- amounts, standards, certificate numbers, recording references and numbers
-- whose identity check character is wrong are not personal data and pass
-- untouched.
\ir helpers.psql
SELECT * FROM no_plan();
SET client_min_messages = warning;

-- what is found: the text, the kind reported, the text masked
CREATE TEMP TABLE found (txt text, kind text, masked text);
INSERT INTO found VALUES
    -- mobile numbers
    ('联系13812345678',              'a mobile phone number',   '联系＊＊＊'),
    ('联系+8613812345678',           'a mobile phone number',   '联系＊＊＊'),
    ('8613812345678',                'a mobile phone number',   '＊＊＊'),
    ('联系0086 13812345678',         'a mobile phone number',   '联系＊＊＊'),
    ('(+86)13812345678',             'a mobile phone number',   '＊＊＊'),
    ('联系（＋８６）１３８１２３４５６７８', 'a mobile phone number', '联系＊＊＊'),
    ('+86 138 1234 5678',            'a mobile phone number',   '＊＊＊'),
    ('+86-138-1234-5678',            'a mobile phone number',   '＊＊＊'),
    ('138-1234-5678',                'a mobile phone number',   '＊＊＊'),
    ('138 1234 5678',                'a mobile phone number',   '＊＊＊'),
    ('138.1234.5678',                'a mobile phone number',   '＊＊＊'),
    ('手机１３８１２３４５６７８',   'a mobile phone number',   '手机＊＊＊'),
    ('手机１３８－１２３４－５６７８，请回电', 'a mobile phone number', '手机＊＊＊，请回电'),
    ('手机１３８　１２３４　５６７８', 'a mobile phone number',  '手机＊＊＊'),
    -- groups separated by other spaces, zero-width characters, other dashes, '/', '_'
    (E'手机138\u00a01234\u00a05678',  'a mobile phone number',   '手机＊＊＊'),
    (E'手机138\u20021234\u20035678',  'a mobile phone number',   '手机＊＊＊'),
    (E'手机138\u20091234\u202f5678',  'a mobile phone number',   '手机＊＊＊'),
    (E'138\u200b1234\u200b5678',      'a mobile phone number',   '＊＊＊'),
    (E'联系138\ufeff1234\u200d5678',  'a mobile phone number',   '联系＊＊＊'),
    (E'手机138\ufe631234\ufe635678',  'a mobile phone number',   '手机＊＊＊'),
    (E'手机138\u20151234\u22125678',  'a mobile phone number',   '手机＊＊＊'),
    ('手机138/1234/5678',            'a mobile phone number',   '手机＊＊＊'),
    ('手机138_1234_5678',            'a mobile phone number',   '手机＊＊＊'),
    ('手机138 - 1234 - 5678',        'a mobile phone number',   '手机＊＊＊'),
    ('手机１３８／１２３４／５６７８', 'a mobile phone number',  '手机＊＊＊'),
    (E'手机\t138\t1234\t5678。',     'a mobile phone number',   E'手机\t＊＊＊。'),
    ('13812345678/13912345678',      'a mobile phone number',   '＊＊＊/＊＊＊'),
    -- landlines
    ('联系 0533-2861234',            'a landline phone number', '联系 ＊＊＊'),
    ('05332861234',                  'a landline phone number', '＊＊＊'),
    ('0533 2861234',                 'a landline phone number', '＊＊＊'),
    ('0533-521-2345',                'a landline phone number', '＊＊＊'),
    ('0533.521.2345',                'a landline phone number', '＊＊＊'),
    ('010-12345678',                 'a landline phone number', '＊＊＊'),
    ('010 1234 5678',                'a landline phone number', '＊＊＊'),
    ('联系(0533)5212345',            'a landline phone number', '联系＊＊＊'),
    ('联系（0533）5212345',          'a landline phone number', '联系＊＊＊'),
    ('联系（０５３３）５２１２３４５', 'a landline phone number', '联系＊＊＊'),
    ('(0533) 521-2345',              'a landline phone number', '＊＊＊'),
    ('+86 533 5212345',              'a landline phone number', '＊＊＊'),
    ('+86-533-5212345',              'a landline phone number', '＊＊＊'),
    ('+86 (0533) 5212345',           'a landline phone number', '＊＊＊'),
    ('0086 10 12345678',             'a landline phone number', '＊＊＊'),
    ('总机0533-5212345-8001',        'a landline phone number', '总机＊＊＊'),
    ('总机0533-5212345转8001',       'a landline phone number', '总机＊＊＊'),
    (E'总机0533\u00a05212345',        'a landline phone number', '总机＊＊＊'),
    ('总机0533/5212345',             'a landline phone number', '总机＊＊＊'),
    ('总机0533 - 521 2345',          'a landline phone number', '总机＊＊＊'),
    -- a number after a word that says it is one
    ('电话 5212345',                 'a phone number',          '电话 ＊＊＊'),
    ('电话：521 2345',               'a phone number',          '电话：＊＊＊'),
    ('电话号码：５２１２３４５',     'a phone number',          '电话号码：＊＊＊'),
    ('Tel: 5212345',                 'a phone number',          'Tel: ＊＊＊'),
    ('座机5212345',                  'a phone number',          '座机＊＊＊'),
    ('座机：52123456',               'a phone number',          '座机：＊＊＊'),
    ('联系电话 5212345',             'a phone number',          '联系电话 ＊＊＊'),
    ('联系方式：521-2345',           'a phone number',          '联系方式：＊＊＊'),
    ('手机号 5212345',               'a phone number',          '手机号 ＊＊＊'),
    ('TEL.52123456',                 'a phone number',          'TEL.＊＊＊'),
    ('宾馆 tel 5212345',             'a phone number',          '宾馆 tel ＊＊＊'),
    (E'座机\u00a05212345',           'a phone number',          E'座机\u00a0＊＊＊'),
    ('电话 2025 1130',               'a phone number',          '电话 ＊＊＊'),
    -- identity card numbers and e-mail addresses
    ('身份证370303198001011234',     'an identity card number', '身份证＊＊＊'),
    ('身份证37030319800102123X',     'an identity card number', '身份证＊＊＊'),
    ('身份证３７０３０３１９８００１０１１２３４', 'an identity card number', '身份证＊＊＊'),
    ('370303198001011234',           'an identity card number', '＊＊＊'),
    ('37030319800102123x，已核实',   'an identity card number', '＊＊＊，已核实'),
    -- in groups
    ('身份证 370303 19900101 1239',  'an identity card number', '身份证 ＊＊＊'),
    ('370303-19900101-1239',         'an identity card number', '＊＊＊'),
    ('370303 1990 0101 1239',        'an identity card number', '＊＊＊'),
    (E'370303\u00a019900101\u00a01239', 'an identity card number', '＊＊＊'),
    -- after a word that says it is one, whatever its check character
    ('身份证 370303 19900101 1234',  'an identity card number', '身份证 ＊＊＊'),
    ('身份证号：370303-19900101-1234', 'an identity card number', '身份证号：＊＊＊'),
    ('身份证37030319800101123X',     'an identity card number', '身份证＊＊＊'),
    ('公民身份号码370303198001011235', 'an identity card number', '公民身份号码＊＊＊'),
    ('ID: 370303199001011234',       'an identity card number', 'ID: ＊＊＊'),
    -- a first-generation number of 15 digits, after such a word only
    ('身份证370303900101123',        'an identity card number', '身份证＊＊＊'),
    ('身份证号码：370303 900101 123', 'an identity card number', '身份证号码：＊＊＊'),
    ('证件号370303900101123',        'an identity card number', '证件号＊＊＊'),
    ('ID 370303900101123',           'an identity card number', 'ID ＊＊＊'),
    ('邮箱 wang@example.cn',         'an e-mail address',       '邮箱 ＊＊＊'),
    ('邮箱 ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ', 'an e-mail address', '邮箱 ＊＊＊'),
    -- the finding of the repro: an inspector, a phone number with the country code
    ('抽签员孙浩然操作失误，单位负责人要求改期，联系+8613812345678', 'a mobile phone number',
     '抽签员孙浩然操作失误，单位负责人要求改期，联系＊＊＊');

SELECT is(spotcheck.personal_data_found(txt, '{}'),
          format('%s (%s)', kind, repeat('*', char_length((SELECT substring(spotcheck.personal_data_normalize(txt) FROM p.pattern)
                                                             FROM spotcheck.personal_data_patterns() WITH ORDINALITY p
                                                            WHERE p.kind = found.kind
                                                              AND substring(spotcheck.personal_data_normalize(txt) FROM p.pattern) IS NOT NULL
                                                            ORDER BY p.ordinality LIMIT 1)))),
          format('found: %s — %s, starred', txt, kind))
  FROM found;
SELECT is(spotcheck.disclosure_mask(txt), masked, format('masked: %s → %s', txt, masked)) FROM found;
SELECT is(spotcheck.personal_data_found('联系+8613812345678', '{}'), 'a mobile phone number (**************)',
          'the report names the kind and stars every character found, the country code included');
SELECT is(spotcheck.personal_data_found('手机１３８－１２３４－５６７８', NULL), 'a mobile phone number (*************)',
          'a full-width number is found as its ASCII twin');

-- what is not personal data: found nowhere, masked nowhere
CREATE TEMP TABLE not_found (txt text, what text);
INSERT INTO not_found VALUES
    ('91350100M000100Y43',           'a unified social credit code'),
    ('913703031234567890',           'a unified social credit code of digits only'),
    ('913703035797621234',           'another one, 18 digits'),
    ('370303200012345',              'a 15-digit registration number'),
    ('单位91370303MA3C8XK51Q检查',     'a code inside text'),
    ('2026-10-08',                   'a date'),
    ('2026-10-08 10:00',             'a date and a time'),
    ('2026.10.08',                   'a date with dots'),
    ('2026年10月8日',                'a date in Chinese'),
    ('20261008',                     'a date as eight digits'),
    ('2026-07-31 → 2026-08-14',      'a deadline moved'),
    ('10:00',                        'a time'),
    ('19:30-21:00',                  'a span of time'),
    ('1234.5',                       'an amount'),
    ('1234567.89元',                 'a larger amount'),
    ('12,345.00元',                  'an amount with a thousands separator'),
    ('罚款13000元',                  'a fine'),
    ('1300万元',                     'an amount in ten thousands'),
    ('13.5%',                        'a percentage'),
    ('0.05',                         'a ratio'),
    ('12345678',                     'eight digits alone'),
    ('12119',                        'the fire hotline'),
    ('电话12119',                    'the fire hotline, called a telephone'),
    ('第3次检查',                    'an ordinal'),
    ('DSJ-001',                      'a recording reference'),
    ('DSJ-20261008-001',             'a recording reference with a date'),
    ('DSJ-20261008-001-2',           'a recording reference with a date and a part'),
    ('DSJ-13812345678',              'a recording reference of eleven digits'),
    ('REC.13812345678',              'a recording reference joined by a dot'),
    ('13812345678-2',                'a recording reference with a part'),
    ('SDXF-2015-370390-123',         'an enforcement certificate number'),
    ('CERT-WCH-12',                  'a certificate number of the tests'),
    ('WCH-001',                      'an inspector code'),
    ('ZB-01 消防安全责任制落实情况',   'an item code'),
    ('v1.3.8',                       'a version'),
    ('鲁消执字〔2026〕第0533号',      'a document number'),
    ('疏散通道堵塞，已责令改正',       'a summary'),
    ('（无）',                       'full-width parentheses alone'),
    -- standards, articles, dates after a phone word, tel inside a word
    ('GB 50016-2014',                'a national standard'),
    ('GB 13495.1-2015',              'a national standard with a part'),
    ('GB 50116-2013 第十六条',        'a standard and an article'),
    ('第十六条',                     'an article'),
    ('消防电话2025-11-30检测合格',     'the fire telephone of an alarm system, a date'),
    ('消防电话 2025.11.30 检测合格',   'the same with dots'),
    ('消防电话5212345部',             'the fire telephone is no word for a number'),
    ('电话：2026.7.10回访',           'a date after a phone word'),
    ('电话 2026-07-10 10:00 回访',    'a date and a time after a phone word'),
    ('座机2026/7/10检修',             'a date with slashes after a phone word'),
    ('如家Hotel 2026-07-10 检查',     'tel inside Hotel'),
    ('Motel 5212345',                'tel inside Motel'),
    ('Intel 5212345',                'tel inside Intel'),
    ('301房间',                      'a room number'),
    ('1208室',                       'another room'),
    -- 18 digits with a wrong check character, 15 digits without an identity word
    ('执法记录仪视频编号370303202607100012', 'a recording number shaped like an identity number'),
    ('370303-19900101-1234',         'an identity-shaped number in groups, its check character wrong'),
    ('370303198001011235',           'an identity-shaped number, its check character wrong'),
    ('DSJ-370303198001011234',       'a recording reference around a valid identity number'),
    ('370303900101123',              'a 15-digit registration number shaped like an old identity number'),
    ('注册号370303900101123',         'a registration number so named'),
    ('VID_13812345678',              'a recording file joined by an underscore'),
    (E'2026\u00a010\u00a008',        'a date with no-break spaces'),
    -- public service numbers, with an area code or several together; zero-padded equipment numbers
    ('火灾隐患举报电话0533-96119',     'a fire hazard hotline with its area code'),
    ('举报电话 12345 96119',          'two hotlines after a phone word'),
    ('报警电话：119、110、120',        'emergency numbers'),
    ('灭火器编号 0101 0102 0103 压力不足', 'zero-padded extinguisher numbers'),
    ('执法记录仪编号 0533001234',     'a number starting with an area code whose local part starts with 0');

SELECT is(spotcheck.personal_data_found(txt, '{}'), NULL, 'not personal data: ' || what || ' (' || txt || ')') FROM not_found;
SELECT ok(spotcheck.personal_data_found(t, '{}') IS NOT NULL, 'still found: ' || t)
  FROM (VALUES ('举报电话12345，负责人手机13812345678'), ('电话 96119 5212345'), ('联系电话0533-5212345'),
               ('电话119 13812345678')) AS x(t);
SELECT is(spotcheck.disclosure_mask(txt), txt, 'not masked: ' || what) FROM not_found;

-- the check character, on its own
SELECT results_eq($$SELECT spotcheck.personal_data_id_checked(x) FROM (VALUES ('37030319800102123X'), ('37030319800102123x'),
                                                                          ('370303-19900101-1239'), ('370303198001011235'), ('370303199001011234')) v(x)$$,
    $$VALUES (true), (true), (true), (false), (false)$$,
    'personal_data_id_checked: the ISO 7064 MOD 11-2 check character, either case of X, separators ignored');

-- masking keeps the text as written around what it masks
SELECT is(spotcheck.disclosure_mask('第１次回访：手机１３８１２３４５６７８，地址不变（２号楼）'), '第１次回访：手机＊＊＊，地址不变（２号楼）',
          'full-width digits and parentheses that are not a phone number stay as written');
SELECT is(spotcheck.disclosure_mask('联系+8613812345678或（0533）5212345，邮箱 a@b.cn，2026-10-08 前整改'),
          '联系＊＊＊或＊＊＊，邮箱 ＊＊＊，2026-10-08 前整改', 'several in one text, each masked, the date kept');
SELECT is(spotcheck.disclosure_mask('抽签员孙浩然操作失误，单位负责人王建国要求改期，联系+8613812345678', ARRAY['孙浩然', '王建国', '王']),
          '抽签员＊＊＊操作失误，单位负责人＊＊＊要求改期，联系＊＊＊', 'the names given are masked too (a one-character name is not looked for)');
SELECT is(spotcheck.disclosure_mask('负责人王伟华与管理人王伟到场', ARRAY['王伟', '王伟华']), '负责人＊＊＊与管理人＊＊＊到场',
          'a name inside a longer one: the longer is masked whole');
SELECT is(spotcheck.personal_data_found('抽签员孙浩然操作失误', ARRAY['李丽华', ' 孙浩然 ']), 'the name of a person (孙…)',
          'a name given is found, by its first character only');
SELECT is(spotcheck.personal_data_found(NULL, ARRAY['孙浩然']), NULL, 'no text, nothing found');
SELECT is(spotcheck.disclosure_mask(NULL), NULL, 'nor masked');

-- normalising keeps every character's place
SELECT is(spotcheck.personal_data_normalize('手机１３８－１２３４－５６７８（ａ＠ｂ．ｃｎ）　：'), '手机138-1234-5678(a@b.cn) :',
          'full-width digits, letters and phone and e-mail punctuation become ASCII');
SELECT is(char_length(spotcheck.personal_data_normalize(txt)), char_length(txt), 'one character for one: ' || txt) FROM found;
SELECT is(spotcheck.personal_data_normalize(E'a\u00a0b\u2002c\u2003d\u2009e\u3000f\u200bg\ufeffh\u200di\tj'),
          'a b c d e f g h i j', 'every space, zero-width and format character becomes a space');
SELECT is(spotcheck.personal_data_normalize(E'1\u20102\u20113\u20124\u20135\u20146\u20157\u22128\ufe639\uff0d0'),
          '1-2-3-4-5-6-7-8-9-0', 'every dash becomes a hyphen-minus');
SELECT is(char_length(spotcheck.personal_data_normalize(s)), char_length(s),
          'no character of the Basic Multilingual Plane is dropped or added')
  FROM (SELECT string_agg(chr(c), '' ORDER BY c) AS s FROM generate_series(1, 65535) c
         WHERE c NOT BETWEEN 55296 AND 57343) x;

SELECT * FROM finish();
