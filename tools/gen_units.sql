-- tools/gen_units.sql — writes a realistic unit directory as CSV (with a
-- header) to standard output, for the bulk-load benchmark and the demo.
--   psql -qAtX -v rows=100000 -v bad_pct=1 -v agencies="'B01,B02'" -v seed=0.42 -v ON_ERROR_STOP=1 -f tools/gen_units.sql > units.csv
-- Needs a database where the spotcheck extension exists (for the check
-- character).  Every code is a valid unified social credit code, except
-- about 3% 15-digit registration numbers (valid too) and the bad rows:
-- bad_pct percent of the rows for each kind of fault (bad check character,
-- blank mandatory field, unknown agency, bad credit class, bad area, bad
-- phone, bad yes/no, same code twice), one fault per bad row.
\set QUIET on
SELECT pg_catalog.setseed(:seed) \g /dev/null
CREATE FUNCTION pg_temp.org_check(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE 11 - s % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE (11 - s % 11)::text END
      FROM (SELECT sum(CASE WHEN c ~ '[0-9]' THEN c::int ELSE ascii(c) - 55 END * w) AS s
              FROM unnest(string_to_array(body, NULL), ARRAY[3,7,9,10,5,8,4,2]) AS x(c, w)) t
$$;
CREATE FUNCTION pg_temp.make_uscc(i bigint, region text, kind text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT b || spotcheck.uscc_check_char(b)::text
      FROM (SELECT kind || region || o || pg_temp.org_check(o) AS b
              FROM (SELECT lpad(((i * 7919) % 100000000)::text, 8, '0') AS o) x) y
$$;
CREATE FUNCTION pg_temp.pick(a text[]) RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT a[1 + floor(random() * cardinality(a))::int] $$;

CREATE TEMP TABLE g AS
SELECT i,
       pg_temp.pick(ARRAY['370303','370302','370304','370305','370306','370321','370322','370323']) AS region,
       random() AS r_kind, random() AS r_bad, random() AS r_key, random() AS r_crowd, random() AS r_credit,
       pg_temp.pick(string_to_array(:'agencies', ',')) AS agency
  FROM generate_series(1, :rows) AS i;

CREATE TEMP TABLE u AS
SELECT g.i,
       CASE WHEN g.r_kind < 0.03 THEN g.region || lpad((g.i::bigint * 104729 % 1000000000)::text, 9, '0')
            ELSE pg_temp.make_uscc(g.i::bigint, g.region,
                     CASE WHEN g.r_kind < 0.90 THEN '91' WHEN g.r_kind < 0.95 THEN '92' WHEN g.r_kind < 0.98 THEN '12' ELSE '52' END)
       END AS code,
       '淄博' || pg_temp.pick(ARRAY['鑫源','华泰','金山','齐鲁','鲁中','恒通','瑞丰','国泰','宏达','新华','天成','博远'])
             || pg_temp.pick(ARRAY['商贸','实业','餐饮','酒店','物流','化工','陶瓷','纺织','医药','教育','娱乐','置业'])
             || pg_temp.pick(ARRAY['有限公司','有限责任公司','股份有限公司','经营部','中心']) || g.i AS name,
       '山东省淄博市' || pg_temp.pick(ARRAY['张店区','淄川区','博山区','临淄区','周村区','文昌湖区'])
             || pg_temp.pick(ARRAY['人民路','柳泉路','共青团路','华光路','新村路','北京路','昌国路']) || (1 + g.i % 899) || '号' AS address,
       pg_temp.pick(ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴','孙','徐'])
             || pg_temp.pick(ARRAY['建国','秀英','志强','丽华','海涛','文静','国庆','玉兰','立新','红梅']) AS responsible_person,
       pg_temp.pick(ARRAY['企业','企业','企业','企业','个体工商户','事业单位','机关','社会团体']) AS unit_type,
       g.agency,
       pg_temp.pick(ARRAY['王','李','张','刘','陈']) || pg_temp.pick(ARRAY['伟','芳','娜','敏','静','磊']) AS legal_representative,
       '1' || pg_temp.pick(ARRAY['33','35','38','39','53','58','86','89']) || lpad((g.i::bigint * 7 % 100000000)::text, 8, '0') AS responsible_phone,
       pg_temp.pick(ARRAY['赵','钱','孙','李']) || pg_temp.pick(ARRAY['明','亮','军','霞']) AS manager_name,
       '0533-' || lpad((g.i::bigint * 13 % 10000000)::text, 7, '0') AS manager_phone,
       round((50 + random() * 20000)::numeric, 2)::text AS building_area,
       pg_temp.pick(ARRAY['高层建筑','多层建筑','单层建筑','地下建筑']) AS building_category,
       pg_temp.pick(ARRAY['商场市场','宾馆饭店','公共娱乐场所','医院','学校','养老机构','生产加工企业','仓储场所','餐饮场所','办公场所']) AS venue_category,
       pg_temp.pick(ARRAY['市场监管局','教育局','卫健局','民政局','商务局','文旅局','应急管理局']) AS industry_authority,
       g.region,
       CASE WHEN g.r_key < 0.10 THEN 'true' ELSE 'false' END AS is_key_unit,
       CASE WHEN g.r_crowd < 0.15 THEN '是' ELSE '否' END AS is_crowded_place,
       CASE WHEN g.r_credit < 0.05 THEN '' WHEN g.r_credit < 0.55 THEN 'A' WHEN g.r_credit < 0.85 THEN 'B'
            WHEN g.r_credit < 0.97 THEN 'C' ELSE 'D' END AS credit_class,
       (1 + floor(random() * 4))::int::text AS risk_level,
       '' AS active,
       g.r_bad
  FROM g;

-- one fault per bad row, bad_pct percent of the rows for each kind
UPDATE u SET code = substr(code, 1, 17) || CASE WHEN right(code, 1) = '0' THEN '1' ELSE '0' END
 WHERE r_bad < :bad_pct / 100.0 AND length(code) = 18;
UPDATE u SET responsible_person = '' WHERE r_bad >= 1 * :bad_pct / 100.0 AND r_bad < 2 * :bad_pct / 100.0;
UPDATE u SET agency = 'NOSUCH' WHERE r_bad >= 2 * :bad_pct / 100.0 AND r_bad < 3 * :bad_pct / 100.0;
UPDATE u SET credit_class = 'E' WHERE r_bad >= 3 * :bad_pct / 100.0 AND r_bad < 4 * :bad_pct / 100.0;
UPDATE u SET building_area = '约' || building_area WHERE r_bad >= 4 * :bad_pct / 100.0 AND r_bad < 5 * :bad_pct / 100.0;
UPDATE u SET responsible_phone = '电话待补' WHERE r_bad >= 5 * :bad_pct / 100.0 AND r_bad < 6 * :bad_pct / 100.0;
UPDATE u SET is_key_unit = 'maybe' WHERE r_bad >= 6 * :bad_pct / 100.0 AND r_bad < 7 * :bad_pct / 100.0;
UPDATE u SET code = v.code FROM u v
 WHERE v.i = u.i - 1 AND u.r_bad >= 7 * :bad_pct / 100.0 AND u.r_bad < 8 * :bad_pct / 100.0;
-- harmless spelling differences the loader must accept
UPDATE u SET code = lower(code) WHERE r_bad >= 0.95 AND r_bad < 0.96;
UPDATE u SET name = '　' || name || ' ' WHERE r_bad >= 0.96 AND r_bad < 0.97;

\set QUIET off
COPY (SELECT code, name, address, responsible_person, unit_type, agency, legal_representative,
             responsible_phone, manager_name, manager_phone, building_area, building_category,
             venue_category, industry_authority, region, is_key_unit, is_crowded_place, credit_class,
             risk_level, active
        FROM u ORDER BY i) TO STDOUT WITH (FORMAT csv, HEADER);
