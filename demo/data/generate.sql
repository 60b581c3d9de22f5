-- demo/data/generate.sql — the directory of the 文昌湖 brigade (agency WCH,
-- region 370390) that the demo loads: units, inspectors and what surrounds
-- them, written as CSV files (UTF-8, a header row) into the current directory.
-- Run it through demo/data/generate.sh, which checks its arguments:
--
--   psql -X -v plan_month=2027-01 -f demo/data/generate.sql      (in OUTDIR)
--
-- Deterministic: every choice is taken from an MD5 hash of a salt and a row
-- number, never from random(); every value is formatted explicitly and every
-- row ordered by integers, so the bytes depend neither on TimeZone, DateStyle
-- or the collation, nor on the day it runs.  The units, the code exception
-- and the recusals are the same for every plan month; the certificates'
-- expiry dates, the absences, the risk signals and the past outcomes are
-- placed relative to the plan month.  Needs the spotcheck extension in the
-- current database (spotcheck.uscc_check_char gives the check character).
\set ON_ERROR_STOP on
\set QUIET on
SET client_encoding = 'UTF8';
SET client_min_messages = warning;
SET jit = off;                     -- small tables with poor estimates: compiling costs seconds
SET search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------- helpers --

-- A 48-bit hash of a salt and a row number: the source of every choice.
CREATE FUNCTION pg_temp.h(salt text, i integer) RETURNS bigint
LANGUAGE sql IMMUTABLE AS
$$ SELECT ('x' || substr(md5(salt || '/' || i::text), 1, 12))::bit(48)::bigint $$;

CREATE FUNCTION pg_temp.pick(a text[], salt text, i integer) RETURNS text
LANGUAGE sql IMMUTABLE AS
$$ SELECT a[1 + (pg_temp.h(salt, i) % cardinality(a))::integer] $$;

-- n written with len characters of the code alphabet (GB 32100), most
-- significant first.
CREATE FUNCTION pg_temp.b31(n bigint, len integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
                             1 + ((n / (ARRAY[1, 31, 961, 29791, 923521, 28629151, 887503681,
                                              27512614111]::bigint[])[len - k + 1]) % 31)::integer, 1), '' ORDER BY k)
      FROM generate_series(1, len) k
$$;

-- The organisation-code check character (GB 11714) of an 8-character body.
CREATE FUNCTION pg_temp.org_check(body text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE 11 - s % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE (11 - s % 11)::text END
      FROM (SELECT sum(CASE WHEN c ~ '^[0-9]$' THEN c::integer ELSE ascii(c) - 55 END * w) AS s
              FROM unnest(string_to_array(body, NULL), ARRAY[3, 7, 9, 10, 5, 8, 4, 2]) AS x(c, w)) t
$$;

-- A unified social credit code: registration authority and type (2),
-- division (6), organisation code (8 + its check), GB 32100 check.
CREATE FUNCTION pg_temp.uscc(kind text, division text, org text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT b || spotcheck.uscc_check_char(b)::text
      FROM (SELECT kind || division || org || pg_temp.org_check(org) AS b) x
$$;

-- A 15-digit registration number (注册号): 14 digits and the ISO 7064
-- MOD 11,10 check digit.
CREATE FUNCTION pg_temp.regno(body text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    p integer := 10;
    s integer;
BEGIN
    FOR k IN 1 .. 14 LOOP
        s := (p + substr(body, k, 1)::integer) % 10;
        IF s = 0 THEN s := 10; END IF;
        p := (2 * s) % 11;
    END LOOP;
    RETURN body || ((11 - p) % 10)::text;
END
$$;

CREATE FUNCTION pg_temp.surname(salt text, i integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.pick(ARRAY[
        '王','王','王','王','王','王','王','王','张','张','张','张','张','张','张','李','李','李','李','李','李','李',
        '刘','刘','刘','刘','刘','孙','孙','孙','孙','孙','赵','赵','赵','赵','徐','徐','徐','陈','陈','陈','杨','杨','杨',
        '马','马','马','高','高','高','韩','韩','毕','毕','翟','翟','于','于','董','董','郭','郭','宋','宋','孟','孟',
        '石','石','崔','崔','田','田','姜','姜','袁','蒲','司','冯','周','吴','邵','曹','魏','房','路','牛','巩','谭',
        '荣','苏','耿','伊','岳','许','程','范','薛','贾','侯','桑','鹿','蔡','段','齐','纪','邢'], salt, i)
$$;

CREATE FUNCTION pg_temp.given(salt text, i integer, female boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN female THEN pg_temp.pick(ARRAY[
        '秀英','丽华','玉兰','桂英','红梅','丽娜','静','敏','燕','霞','婷婷','晓燕','雪梅','春燕','海燕','秀兰','凤英',
        '晓红','芳','娟','丽','艳','倩','璐','慧','玉霞','淑珍','美玲','爱华','雅琪','欣怡','梦瑶','文静','秀梅',
        '金凤','新梅','玉芝','翠英','晓丽','亚楠','佳慧','晓敏','冬梅','爱玲','洪霞'], salt, i)
    ELSE pg_temp.pick(ARRAY[
        '建国','志强','海涛','立新','国庆','玉山','德胜','文军','永刚','振华','洪涛','庆海','鹏','磊','伟','强','军',
        '涛','斌','超','浩','宇','晓东','家豪','明','勇','刚','新华','学文','兆华','长青','东升','德明','继光',
        '传友','广民','金生','福亮','春雷','俊杰','浩然','宏伟','峰','凯','亮','博文','文涛','玉明','守信','汝成',
        '延军','洪亮','建华','卫东','庆春','兆军','传福','荣华','顺利','光辉','子健','鑫','晨阳'], salt, i) END
$$;

-- A person's full name; about one person in three is a woman.
CREATE FUNCTION pg_temp.person(salt text, i integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.surname(salt || 's', i) || pg_temp.given(salt || 'g', i, pg_temp.h(salt || 'f', i) % 3 = 0)
$$;

CREATE FUNCTION pg_temp.mobile(salt text, i integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.pick(ARRAY['130','131','132','133','135','136','137','138','139','150','151','152','153','155',
                              '156','157','158','159','166','176','177','178','180','181','182','183','185','186',
                              '187','188','189','198','199'], salt || 'p', i)
           || lpad((pg_temp.h(salt || 'n', i) % 100000000)::text, 8, '0')
$$;

-- A Zibo landline: 0533, then seven digits whose first says the exchange.
CREATE FUNCTION pg_temp.landline(exchange text, salt text, i integer) RETURNS text
LANGUAGE sql IMMUTABLE AS
$$ SELECT '0533-' || exchange || lpad((pg_temp.h(salt, i) % 1000000)::text, 6, '0') $$;

CREATE FUNCTION pg_temp.day(d date) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT to_char(d, 'YYYY-MM-DD') $$;

-- ------------------------------------------------------------- the place --

CREATE TEMP TABLE plan AS
SELECT p AS first_day, (p + interval '1 month' - interval '1 day')::date AS last_day,
       -- the plan is drawn in the month before: evidence ends where that month begins
       (p - interval '1 month')::date AS evidence_until,
       (p - 90) AS signals_from, (p - interval '18 months')::date AS outcomes_from
  FROM (SELECT (:'plan_month' || '-01')::date AS p) x;

CREATE TEMP TABLE town (t integer, name text, short text, division text, exchange text, park text, roads text[], villages text[]);
INSERT INTO town VALUES
 (1, '萌水镇', '萌水', '370302', '5', '萌水工业园', ARRAY['萌山路','萌水大街','青龙山路','万山路','湖滨北路','卧龙路'],
  ARRAY['萌水村','北万山村','南万山村','西河村','东河村','范家村','柏树村','孟家庄村','石门村','卧龙村','青龙村','万盛村']),
 (2, '商家镇', '商家', '370306', '6', '商家物流园', ARRAY['商家大道','文昌湖路','环湖东路','湖光路','商业街','渔洋路','双山路'],
  ARRAY['商家村','东商村','西商村','和庄村','李家村','杨家村','苇园村','王家坡村','渔洋村','北窑村','南窑村','双山村']),
 (3, '岭子镇', '岭子', '370302', '5', '岭子工业园', ARRAY['岭子大街','岭南路','泉山路','环湖西路','岭东路','环湖南路'],
  ARRAY['岭子村','东岭村','西岭村','北岭村','罗家村','丁家村','马家庄村','泉头村','石桥村','黄家峪村','上庄村','下庄村']);

CREATE TEMP TABLE words (list text PRIMARY KEY, w text[]);
INSERT INTO words VALUES
 ('brand', ARRAY['鑫源','华泰','恒通','瑞丰','宏达','博远','金泰','永盛','泰和','正元','盛世','丰源','天成','顺达','通利',
   '兴隆','昌盛','宏图','嘉和','德润','福瑞','康泰','安泰','元亨','利民','惠通','聚源','新源','金鼎','银河','东方','海川',
   '鸿运','鼎盛','金诺','润泽','益康','同创','汇众','佳园','锦华','万和','和顺','明德','信诚','致远','卓越','宏昌','恒信',
   '立新','建业','中和','诚泰','广源','隆祥','振华','兴华','富民','乐安','长青','鲁中','齐鲁','齐韵','泓泰','瀚海','凯瑞',
   '荣升','宝丰','金阳','旭日','晨光','朝阳','春晖','秋实','丰禾','嘉禾','禾丰','绿源','绿野','青禾','沃土','远航','启航',
   '扬帆','腾飞','鹏程','锦程','宏远','恒远','久盛','金盛','盛达','通达','联创','华创','智达','科达','鼎力','合力','众诚',
   '信达','亿丰','万丰','千禧','百川','天泽','恒丰','瑞祥','福源','金桥','新港','华宇','汇源','昊天','明远','德信','正和',
   '泰丰','永泰','恒达','宏业','众力','金瑞','安和','润达','中信达','九州','天信','泉润','博睿','耀华','凯盛','华晟']),
 ('place', ARRAY['文昌湖','萌山','湖畔','青龙山','万山','渔洋','双山','卧龙','湖光','湖韵','山水','云湖','泉山','岭南']),
 ('shop', ARRAY['惠民','福来','顺心','好运来','聚福','乐购','永福','兴旺','万家','金顺','宏发','百姓','邻家','悦来','鑫鑫',
   '佳佳','欣欣','亮亮','乐乐','明明','红红','丽丽','兰兰','强强','美美','家和','福满','富贵','吉祥','如意','平安','康乐',
   '天天','开心','实惠','诚信','放心','便民','友谊','新兴','众鑫','鑫旺','旺达','盛源','金源','春风','老街','湖边','东来',
   '满意','一品','百味','好再来','聚缘','喜来','乐家','红日','金穗','丰收','田园','小城','街坊','同乐','润泽','馨园']),
 ('poetic', ARRAY['山居','湖畔人家','云栖','半山','听湖','望湖','渔舍','柿园','枣园','竹溪','拾光','隐庐','闲云','归园',
   '栖霞','墨香','耕读','素心','半亩','青瓦','石屋','柴门','湖心','山月','松风','清溪','桃源','荷塘','芦苇荡','渔家',
   '山楂园','樱桃园','花间','野趣','慢时光','小院','老宅','云水间','湖光山色','林泉','听风','观澜','南山','北坡','溪畔']);

-- What kinds of units the brigade's area holds and how many of each; how a
-- name is built (tpl), what the unit is (venue category, unit type, the
-- registration type of its code), its size, when it is a crowded place and
-- a key unit, its fire risk, building and supervising department.
CREATE TEMP TABLE kind (
    k text PRIMARY KEY, ord integer, tpl text, venue text, unit_type text, ctype text, n integer,
    brands text[], words text[], area_lo integer, area_hi integer,
    crowded text,          -- always | never | area (from 300 m²)
    key_area integer,      -- NULL never, 0 always, else from this area (m²)
    risk integer, bcat text, authority text);
INSERT INTO kind
SELECT k, ord, tpl, venue, unit_type, ctype, n,
       CASE b WHEN 'brand' THEN (SELECT w FROM words WHERE list = 'brand')
              WHEN 'brand+place' THEN (SELECT w FROM words WHERE list = 'brand') || (SELECT w FROM words WHERE list = 'place')
              WHEN 'shop' THEN (SELECT w FROM words WHERE list = 'shop')
              WHEN 'poetic' THEN (SELECT w FROM words WHERE list = 'poetic')
              ELSE string_to_array(b, ',') END,
       string_to_array(ws, ','), area_lo, area_hi, crowded, key_area, risk, bcat, authority
  FROM (VALUES
 ('c_hotel', 1, 'co', '宾馆饭店', '企业', '91', 72, 'brand+place', '酒店,大酒店,酒店管理,宾馆,温泉度假酒店,度假村,商务酒店,假日酒店,山庄,民宿管理', 600, 16000, 'area', 4000, 3, 'public', '文化和旅游局'),
 ('c_food', 2, 'co', '餐饮场所', '企业', '91', 85, 'brand+place', '餐饮,餐饮管理,饮食服务,餐饮服务,酒楼,食府,渔家宴餐饮,农家宴餐饮', 150, 3200, 'area', 1500, 2, 'public', '市场监管局'),
 ('c_shop', 3, 'co', '商场市场', '企业', '91', 150, 'brand', '商贸,商业,超市,百货,购物广场,农贸市场管理,建材市场管理,家居,商业管理,五金机电', 80, 12000, 'area', 5000, 2, 'public', '商务局'),
 ('c_ent', 4, 'co', '公共娱乐场所', '企业', '91', 34, 'brand', '文化娱乐,休闲娱乐,娱乐,沐浴,洗浴服务,影院管理,电子竞技,游乐', 200, 4000, 'always', 500, 3, 'public', '文化和旅游局'),
 ('c_scenic', 5, 'co', '景区', '企业', '91', 24, 'brand+place', '生态旅游开发,旅游开发,景区管理,文化旅游发展,农业观光,露营地管理,研学旅行,水上乐园,田园综合体', 500, 30000, 'always', 6000, 2, 'scenic', '文化和旅游局'),
 ('c_mfg', 6, 'co', '生产加工企业', '企业', '91', 600, 'brand', '机械,机械制造,机械设备,汽车配件,耐火材料,陶瓷,建筑陶瓷,玻璃制品,新材料,纺织,服装,家具,木业,食品,面粉,酿造,饮品,塑料制品,包装制品,纸制品,印刷,铸造,轴承,泵业,阀门,电气设备,电子科技,环保设备,石材,水泥制品,钢结构,五金制品,铝业,橡胶制品,工艺品,农产品加工,化工,精细化工,涂料', 300, 50000, 'never', 30000, 2, 'plant', '工业和信息化局'),
 ('c_factory', 7, 'factory', '生产加工企业', '企业', '91', 40, 'brand', '机械厂,耐火材料厂,陶瓷厂,纺织厂,铸造厂,食品厂,塑料厂,纸箱厂,包装厂,轴承厂,水泵厂,阀门厂,石材厂,水泥制品厂,面粉厂,酒厂,印刷厂,化工厂', 500, 40000, 'never', 30000, 2, 'plant', '工业和信息化局'),
 ('c_wh', 8, 'co', '仓储场所', '企业', '91', 105, 'brand', '物流,仓储服务,冷链物流,供应链管理,物资,粮油,农产品物流,储运', 500, 40000, 'never', 15000, 3, 'store', '交通运输局'),
 ('c_office', 9, 'co', '办公场所', '企业', '91', 180, 'brand', '房地产开发,建筑工程,建设工程,科技,信息技术,企业管理咨询,投资,文化传媒,广告,人力资源,劳务,园林绿化,市政工程,装饰工程,电力工程,安装工程', 100, 12000, 'never', 8000, 1, 'public', '住房和城乡建设局'),
 ('c_prop', 10, 'co', '住宅小区', '企业', '91', 28, 'brand', '物业服务,物业管理', 5000, 120000, 'never', NULL, 2, 'home', '住房和城乡建设局'),
 ('c_hosp', 11, 'co', '医院', '企业', '91', 8, 'brand', '康复医院,中医医院,口腔医院,综合门诊部,医院', 300, 8000, 'always', 1500, 3, 'public', '卫生健康局'),
 ('c_elder', 12, 'co', '养老机构', '企业', '91', 8, 'brand+place', '养老服务,康养服务,颐养中心,医养结合服务,老年公寓', 500, 6000, 'always', 1500, 3, 'public', '民政局'),
 ('c_edu', 13, 'co', '学校', '企业', '91', 12, 'brand', '教育科技,托育服务,文化培训,艺术培训,职业培训', 200, 3000, 'always', 1500, 2, 'public', '教育和体育局'),
 ('c_sport', 14, 'co', '文体场馆', '企业', '91', 8, 'brand', '体育文化发展,健身服务,体育运动,文化艺术', 300, 5000, 'always', 3000, 2, 'public', '教育和体育局'),
 ('b_sinopec', 15, 'branch', '易燃易爆危险品场所', '企业', '91', 6, '中国石化销售股份有限公司山东淄博石油分公司', '加油站,加油站,加油加气站', 300, 2000, 'never', 0, 4, 'station', '商务局'),
 ('b_cnpc', 16, 'branch', '易燃易爆危险品场所', '企业', '91', 4, '中国石油天然气股份有限公司山东淄博销售分公司', '加油站', 300, 2000, 'never', 0, 4, 'station', '商务局'),
 ('b_gas', 17, 'branch', '易燃易爆危险品场所', '企业', '91', 4, '淄博{b}燃气有限公司,淄博{b}能源有限公司', '液化气供应站,液化气储配站', 200, 1500, 'never', 0, 4, 'station', '住房和城乡建设局'),
 ('b_bank', 18, 'branch', '办公场所', '企业', '91', 16, '淄博周村农村商业银行股份有限公司,中国农业银行股份有限公司淄博周村支行,中国邮政储蓄银行股份有限公司淄博市周村区支行,齐商银行股份有限公司淄博周村支行', '支行,分理处,营业所', 150, 1500, 'never', NULL, 1, 'public', '金融监管局'),
 ('b_chain', 19, 'branch', '商场市场', '企业', '91', 30, '淄博{b}超市连锁有限公司,淄博{b}商贸有限公司,淄博{b}医药连锁有限公司,淄博{b}便利店连锁有限公司', '店,分店', 80, 6000, 'area', 4000, 2, 'public', '商务局'),
 ('i_food', 20, 'ind', '餐饮场所', '个体工商户', '92', 490, 'shop', '农家乐,饭店,家常菜馆,烧烤店,水饺馆,面馆,快餐店,包子铺,火锅店,全鱼馆,羊汤馆,小吃店,菜馆,烧饼坊,饺子馆,砂锅店,酒馆,鱼馆', 30, 600, 'area', NULL, 2, 'small', '市场监管局'),
 ('i_shop', 21, 'ind', '商场市场', '个体工商户', '92', 493, 'shop', '便利店,超市,日用百货店,五金店,建材店,家电商行,服装店,手机店,烟酒店,副食品店,粮油店,农资店,家具店,电动车行,母婴用品店,茶叶店,水果店,药店,眼镜店,灯具店', 20, 800, 'area', NULL, 2, 'small', '市场监管局'),
 ('i_lodge', 22, 'ind', '宾馆饭店', '个体工商户', '92', 175, 'poetic', '民宿,旅馆,客栈,家庭宾馆,农家宾馆,度假小院', 80, 900, 'area', NULL, 2, 'small', '文化和旅游局'),
 ('i_ent', 23, 'ind', '公共娱乐场所', '个体工商户', '92', 55, 'shop', '网吧,网咖,歌厅,台球厅,棋牌室,足疗店,游戏厅,桌游馆', 60, 600, 'always', 450, 3, 'small', '文化和旅游局'),
 ('i_clinic', 24, 'clinic', '医院', '个体工商户', '92', 40, NULL, '诊所,中医诊所,口腔诊所,内科诊所', 30, 280, 'never', NULL, 2, 'small', '卫生健康局'),
 ('i_mfg', 25, 'ind', '生产加工企业', '个体工商户', '92', 130, 'shop', '木器加工厂,石材加工厂,面粉加工坊,豆制品加工坊,塑料加工厂,汽车修理厂,机械加工部,服装加工厂,纸箱厂,门窗加工部,工艺品厂,榨油坊,酱菜坊,食品加工坊', 80, 3000, 'never', NULL, 2, 'plant', '市场监管局'),
 ('i_wh', 26, 'ind', '仓储场所', '个体工商户', '92', 55, 'shop', '废品回收站,农产品冷库,快递服务站,粮食收购站,建材仓库', 100, 3000, 'never', NULL, 3, 'store', '商务局'),
 ('coop', 27, 'coop', '仓储场所', '农民专业合作社', '93', 45, 'brand+place', '果蔬种植,葡萄种植,樱桃种植,中药材种植,粮食种植,花卉苗木种植,畜禽养殖,水产养殖,农机服务,蜂业,食用菌种植,蔬菜种植', 200, 3000, 'never', NULL, 2, 'store', '农业农村局'),
 ('n_kg', 28, 'npo', '学校', '民办非企业单位', '52', 14, '小太阳,小天使,金色童年,育才,启智,阳光,蓝天,童心,博雅,七彩,春苗,贝贝,小博士,新星,快乐宝贝,爱心,小橘灯,思源,智慧树,小海豚', '幼儿园', 400, 3000, 'always', 1000, 3, 'public', '教育和体育局'),
 ('n_train', 29, 'npo', '学校', '民办非企业单位', '52', 10, '启航,博学,明德,育英,新起点,书香,优学,求是,致远,翰林,启明星,青苗', '培训学校,艺术培训学校,职业技能培训学校,文化培训学校', 200, 1500, 'always', 1200, 2, 'public', '教育和体育局'),
 ('n_elder', 30, 'npo', '养老机构', '民办非企业单位', '52', 6, '福寿,康乐,夕阳红,颐和,安康,松鹤,常青,幸福,孝心,祥和', '颐养院,养老院,老年公寓,托老中心', 600, 4000, 'always', 1500, 3, 'public', '民政局'),
 ('n_hosp', 31, 'npo', '医院', '民办非企业单位', '52', 2, '仁和,康宁,济民,博爱,惠康,安和', '医院,中医院', 1500, 5000, 'always', 1500, 3, 'public', '卫生健康局'),
 ('n_social', 32, 'npo', '办公场所', '民办非企业单位', '52', 4, '益友,同心,暖阳,邻里,乐龄,向日葵', '社会工作服务中心,志愿服务中心,公益服务中心', 60, 400, 'never', NULL, 1, 'public', '民政局')
 ) AS v(k, ord, tpl, venue, unit_type, ctype, n, b, ws, area_lo, area_hi, crowded, key_area, risk, bcat, authority);

-- Units known one by one: public institutions, organs, associations,
-- places of worship.  The town (and village) a name mentions is where it is.
CREATE TEMP TABLE fixed_unit (f integer, name text, unit_type text, ctype text, venue text, crowded boolean, key boolean,
                              area_lo integer, area_hi integer, risk integer, bcat text, authority text);
INSERT INTO fixed_unit
SELECT row_number() OVER () AS f, name, unit_type, ctype, venue, crowded, key, area_lo, area_hi, risk, bcat, authority
  FROM (VALUES
 ('淄博文昌湖省级旅游度假区管理委员会', '机关', '11', '办公场所', false, true, 8000, 12000, 2, 'public', NULL),
 ('淄博文昌湖省级旅游度假区萌水镇人民政府', '机关', '11', '办公场所', false, false, 2000, 4000, 1, 'public', NULL),
 ('淄博文昌湖省级旅游度假区商家镇人民政府', '机关', '11', '办公场所', false, false, 2000, 4000, 1, 'public', NULL),
 ('淄博文昌湖省级旅游度假区岭子镇人民政府', '机关', '11', '办公场所', false, false, 2000, 4000, 1, 'public', NULL),
 ('淄博市公安局文昌湖分局', '机关', '11', '办公场所', false, true, 3000, 6000, 2, 'public', NULL),
 ('淄博市公安局文昌湖分局萌水派出所', '机关', '11', '办公场所', false, false, 600, 1200, 1, 'public', NULL),
 ('淄博市公安局文昌湖分局商家派出所', '机关', '11', '办公场所', false, false, 600, 1200, 1, 'public', NULL),
 ('淄博市公安局文昌湖分局岭子派出所', '机关', '11', '办公场所', false, false, 600, 1200, 1, 'public', NULL),
 ('淄博市市场监督管理局文昌湖分局', '机关', '11', '办公场所', false, false, 1200, 2500, 1, 'public', NULL),
 ('淄博市生态环境局文昌湖分局', '机关', '11', '办公场所', false, false, 800, 1500, 1, 'public', NULL),
 ('淄博市自然资源和规划局文昌湖分局', '机关', '11', '办公场所', false, false, 800, 1500, 1, 'public', NULL),
 ('国家税务总局淄博文昌湖省级旅游度假区税务局', '机关', '11', '办公场所', false, false, 1500, 3000, 1, 'public', NULL),
 ('淄博文昌湖省级旅游度假区萌水镇中学', '事业单位', '12', '学校', true, true, 8000, 15000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区商家镇中学', '事业单位', '12', '学校', true, true, 8000, 15000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区岭子镇中学', '事业单位', '12', '学校', true, true, 6000, 12000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区实验学校', '事业单位', '12', '学校', true, true, 12000, 20000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区萌水镇中心小学', '事业单位', '12', '学校', true, true, 5000, 9000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区商家镇中心小学', '事业单位', '12', '学校', true, true, 5000, 9000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区岭子镇中心小学', '事业单位', '12', '学校', true, true, 4000, 8000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区萌水镇北万山小学', '事业单位', '12', '学校', true, false, 1500, 3000, 2, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区萌水镇柏树小学', '事业单位', '12', '学校', true, false, 1200, 2500, 2, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区萌水镇卧龙小学', '事业单位', '12', '学校', true, false, 1200, 2500, 2, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区商家镇和庄小学', '事业单位', '12', '学校', true, false, 1500, 3000, 2, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区商家镇渔洋小学', '事业单位', '12', '学校', true, false, 1200, 2500, 2, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区商家镇双山小学', '事业单位', '12', '学校', true, false, 1200, 2500, 2, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区岭子镇罗家小学', '事业单位', '12', '学校', true, false, 1200, 2500, 2, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区岭子镇泉头小学', '事业单位', '12', '学校', true, false, 1200, 2500, 2, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区萌水镇中心幼儿园', '事业单位', '12', '学校', true, true, 2000, 4000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区商家镇中心幼儿园', '事业单位', '12', '学校', true, true, 2000, 4000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区岭子镇中心幼儿园', '事业单位', '12', '学校', true, true, 1800, 3500, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区萌水镇南万山幼儿园', '事业单位', '12', '学校', true, false, 500, 1000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区商家镇苇园幼儿园', '事业单位', '12', '学校', true, false, 500, 1000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区商家镇王家坡幼儿园', '事业单位', '12', '学校', true, false, 500, 1000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区岭子镇东岭幼儿园', '事业单位', '12', '学校', true, false, 500, 1000, 3, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区萌水镇卫生院', '事业单位', '12', '医院', true, true, 3000, 6000, 3, 'public', '卫生健康局'),
 ('淄博文昌湖省级旅游度假区商家镇卫生院', '事业单位', '12', '医院', true, true, 4000, 8000, 3, 'public', '卫生健康局'),
 ('淄博文昌湖省级旅游度假区岭子镇卫生院', '事业单位', '12', '医院', true, true, 2500, 5000, 3, 'public', '卫生健康局'),
 ('淄博文昌湖省级旅游度假区萌水镇敬老院', '事业单位', '12', '养老机构', true, true, 1500, 3000, 3, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区商家镇敬老院', '事业单位', '12', '养老机构', true, true, 1500, 3000, 3, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区岭子镇敬老院', '事业单位', '12', '养老机构', true, false, 800, 1400, 3, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区萌水镇综合文化站', '事业单位', '12', '文体场馆', true, false, 600, 1200, 2, 'public', '文化和旅游局'),
 ('淄博文昌湖省级旅游度假区商家镇综合文化站', '事业单位', '12', '文体场馆', true, false, 600, 1200, 2, 'public', '文化和旅游局'),
 ('淄博文昌湖省级旅游度假区岭子镇综合文化站', '事业单位', '12', '文体场馆', true, false, 600, 1200, 2, 'public', '文化和旅游局'),
 ('淄博文昌湖省级旅游度假区文化活动中心', '事业单位', '12', '文体场馆', true, true, 4000, 7000, 2, 'public', '文化和旅游局'),
 ('淄博文昌湖省级旅游度假区全民健身中心', '事业单位', '12', '文体场馆', true, true, 5000, 9000, 2, 'public', '教育和体育局'),
 ('淄博文昌湖省级旅游度假区景区管理服务中心', '事业单位', '12', '景区', true, true, 3000, 6000, 2, 'scenic', '文化和旅游局'),
 ('淄博文昌湖省级旅游度假区游客服务中心', '事业单位', '12', '景区', true, true, 2000, 4000, 2, 'scenic', '文化和旅游局'),
 ('淄博文昌湖省级旅游度假区政务服务中心', '事业单位', '12', '办公场所', false, false, 3000, 5000, 1, 'public', NULL),
 ('淄博文昌湖省级旅游度假区萌水镇便民服务中心', '事业单位', '12', '办公场所', false, false, 500, 1000, 1, 'public', NULL),
 ('淄博文昌湖省级旅游度假区商家镇便民服务中心', '事业单位', '12', '办公场所', false, false, 500, 1000, 1, 'public', NULL),
 ('淄博文昌湖省级旅游度假区岭子镇便民服务中心', '事业单位', '12', '办公场所', false, false, 500, 1000, 1, 'public', NULL),
 ('淄博文昌湖省级旅游度假区萌水镇农业综合服务中心', '事业单位', '12', '办公场所', false, false, 400, 900, 1, 'public', '农业农村局'),
 ('淄博文昌湖省级旅游度假区商家镇农业综合服务中心', '事业单位', '12', '办公场所', false, false, 400, 900, 1, 'public', '农业农村局'),
 ('淄博文昌湖省级旅游度假区岭子镇农业综合服务中心', '事业单位', '12', '办公场所', false, false, 400, 900, 1, 'public', '农业农村局'),
 ('淄博文昌湖省级旅游度假区城市建设服务中心', '事业单位', '12', '办公场所', false, false, 800, 1600, 1, 'public', '住房和城乡建设局'),
 ('淄博文昌湖省级旅游度假区水务服务中心', '事业单位', '12', '办公场所', false, false, 600, 1200, 1, 'public', NULL),
 ('淄博文昌湖省级旅游度假区民宿协会', '社会团体', '51', '办公场所', false, false, 60, 200, 1, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区旅游协会', '社会团体', '51', '办公场所', false, false, 60, 200, 1, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区餐饮行业协会', '社会团体', '51', '办公场所', false, false, 60, 200, 1, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区个体劳动者协会', '社会团体', '51', '办公场所', false, false, 60, 200, 1, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区老年人体育协会', '社会团体', '51', '办公场所', false, false, 60, 200, 1, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区钓鱼协会', '社会团体', '51', '办公场所', false, false, 60, 200, 1, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区摄影家协会', '社会团体', '51', '办公场所', false, false, 60, 200, 1, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区商会', '社会团体', '51', '办公场所', false, false, 100, 400, 1, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区萌水镇商会', '社会团体', '51', '办公场所', false, false, 60, 200, 1, 'public', '民政局'),
 ('淄博文昌湖省级旅游度假区志愿者协会', '社会团体', '51', '办公场所', false, false, 60, 200, 1, 'public', '民政局'),
 ('淄博文昌湖教育发展基金会', '基金会', '53', '办公场所', false, false, 60, 200, 1, 'public', '民政局'),
 ('淄博文昌湖萌水基督教堂', '宗教活动场所', '71', '宗教活动场所', true, false, 400, 900, 2, 'public', '民族宗教事务局'),
 ('淄博文昌湖商家基督教堂', '宗教活动场所', '71', '宗教活动场所', true, true, 800, 1600, 2, 'public', '民族宗教事务局'),
 ('淄博文昌湖岭子天主教堂', '宗教活动场所', '71', '宗教活动场所', true, false, 300, 700, 2, 'public', '民族宗教事务局'),
 ('淄博文昌湖萌山兴国寺', '宗教活动场所', '71', '宗教活动场所', true, true, 2000, 5000, 3, 'scenic', '民族宗教事务局'),
 ('淄博文昌湖青龙山碧霞元君祠', '宗教活动场所', '71', '宗教活动场所', true, false, 300, 800, 3, 'scenic', '民族宗教事务局'),
 ('淄博文昌湖卧龙关帝庙', '宗教活动场所', '71', '宗教活动场所', true, false, 200, 500, 3, 'scenic', '民族宗教事务局'),
 ('淄博文昌湖双山玉皇阁', '宗教活动场所', '71', '宗教活动场所', true, false, 200, 600, 3, 'scenic', '民族宗教事务局'),
 ('淄博文昌湖商家清真寺', '宗教活动场所', '71', '宗教活动场所', true, false, 300, 700, 2, 'public', '民族宗教事务局')
 ) AS v(name, unit_type, ctype, venue, crowded, key, area_lo, area_hi, risk, bcat, authority);

-- Landmarks a fixed unit's name may give instead of a town or village.
CREATE TEMP TABLE landmark (word text, t integer);
INSERT INTO landmark VALUES ('萌山', 1), ('青龙山', 1);

-- -------------------------------------------------------------- the names --

-- The name of the i-th unit of a kind, at the a-th attempt (a later attempt
-- combines other words when an earlier one gave a name already taken):
-- {name, the trade or industry word used, whether the name holds the village,
-- the owner the name names (a doctor's clinic, 老王家 …) or NULL}.
CREATE FUNCTION pg_temp.compose(tpl text, brands text[], ws text[], venue text, town_name text, town_short text,
                                village_short text, road text, i integer, a integer) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s text := a::text;
    w text := pg_temp.pick(ws, 'w' || s, i);
    b text := pg_temp.pick(brands, 'b' || s, i);
    r integer := (pg_temp.h('form' || s, i) % 20)::integer;
    q integer := (pg_temp.h('brandkind' || s, i) % 20)::integer;
    legal text := CASE WHEN pg_temp.h('legal' || s, i) % 20 < 15 THEN '有限公司'
                       WHEN pg_temp.h('legal' || s, i) % 20 < 19 THEN '有限责任公司' ELSE '股份有限公司' END;
    place boolean := b = ANY ((SELECT x.w FROM words x WHERE x.list = 'place')::text[]);
    sn text := pg_temp.surname('owner' || s, i);
    f integer := (pg_temp.h('ownerform' || s, i) % 4)::integer;
    prefix text;
    p text;
BEGIN
    CASE tpl
    WHEN 'co' THEN
        IF place OR r < 11 THEN
            RETURN ARRAY['淄博' || b || w || legal, w, 'false'];
        ELSIF r < 15 THEN
            RETURN ARRAY['淄博文昌湖' || b || w || legal, w, 'false'];
        ELSIF r < 17 THEN
            RETURN ARRAY['山东' || b || w || legal, w, 'false'];
        END IF;
        RETURN ARRAY[b || w || '（淄博）有限公司', w, 'false'];
    WHEN 'factory' THEN
        RETURN ARRAY['淄博' || town_short || b || w, w, 'false'];
    WHEN 'branch' THEN
        p := replace(b, '{b}', pg_temp.pick((SELECT x.w FROM words x WHERE x.list = 'brand'), 'pb' || s, i));
        IF p LIKE '%支行' AND w = '支行' THEN
            w := '营业所';      -- a sub-branch's outlets are 营业所 and 分理处
        END IF;
        CASE r % 3
        WHEN 0 THEN RETURN ARRAY[p || town_short || w, w, 'false'];
        WHEN 1 THEN RETURN ARRAY[p || village_short || w, w, 'true'];
        ELSE RETURN ARRAY[p || road || w, w, 'false'];
        END CASE;
    WHEN 'ind' THEN
        prefix := CASE WHEN r < 15 THEN '文昌湖区' || town_name ELSE '文昌湖区' END;
        IF q < 9 THEN
            RETURN ARRAY[prefix || b || w, w, 'false'];
        ELSIF q < 13 THEN
            -- 老王家, 王记, 王姐 (a woman), 老王 (a man)
            RETURN ARRAY[prefix || (ARRAY['老' || sn || '家', sn || '记', sn || '姐', '老' || sn])[1 + f] || w, w, 'false',
                         sn || pg_temp.given('ownerg' || s, i, f = 2 OR (f < 2 AND pg_temp.h('ownerf' || s, i) % 3 = 0))];
        ELSIF q < 16 AND r < 15 AND village_short <> town_short THEN
            RETURN ARRAY[prefix || village_short || w, w, 'true'];
        END IF;
        RETURN ARRAY[prefix || pg_temp.pick(brands, 'b2' || s, i) || w, w, 'false'];
    WHEN 'clinic' THEN
        p := pg_temp.person('doctor' || s, i);
        RETURN ARRAY['文昌湖区' || town_name || p || w, w, 'false', p];
    WHEN 'coop' THEN
        IF r < 10 AND b <> '文昌湖' THEN
            RETURN ARRAY['淄博文昌湖' || b || w || '专业合作社', w, 'false'];
        END IF;
        RETURN ARRAY['淄博文昌湖' || village_short || w || '专业合作社', w, 'true'];
    WHEN 'npo' THEN
        IF r < 10 THEN
            RETURN ARRAY['淄博文昌湖' || b || w, w, 'false'];
        END IF;
        RETURN ARRAY['文昌湖区' || town_name || b || w, w, 'false'];
    END CASE;
    RAISE EXCEPTION 'unknown name template "%"', tpl;
END
$$;

-- Every unit: its kind, town, village and road.
CREATE TEMP TABLE u0 AS
SELECT i, k, t, v, r, name, word, used_village, NULL::text AS owner, 0 AS attempt
  FROM (SELECT (row_number() OVER (ORDER BY kd.ord, j))::integer AS i, kd.k
          FROM kind kd, generate_series(1, kd.n) j) x,
       LATERAL (SELECT CASE WHEN pg_temp.h('town', x.i) % 100 < 35 THEN 1
                            WHEN pg_temp.h('town', x.i) % 100 < 75 THEN 2 ELSE 3 END AS t) tt,
       LATERAL (SELECT (1 + pg_temp.h('village', x.i) % 12)::integer AS v,
                       (1 + pg_temp.h('road', x.i) % 7)::integer AS r,
                       NULL::text AS name, NULL::text AS word, false AS used_village) rest;
ALTER TABLE u0 ADD PRIMARY KEY (i);

CREATE FUNCTION pg_temp.compose_unit(x u0) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT pg_temp.compose(kd.tpl, kd.brands, kd.words, kd.venue, tw.name, tw.short,
                           regexp_replace(tw.villages[x.v], '村$', ''), tw.roads[1 + (x.r - 1) % cardinality(tw.roads)],
                           x.i, x.attempt)
      FROM kind kd, town tw WHERE kd.k = x.k AND tw.t = x.t
$$;

DO $names$
DECLARE
    n integer;
    rounds integer := 0;
BEGIN
    UPDATE u0 SET name = c[1], word = c[2], used_village = c[3]::boolean, owner = c[4]
      FROM (SELECT x.i, pg_temp.compose_unit(x) AS c FROM u0 x) y WHERE y.i = u0.i;
    LOOP
        -- a name already taken by an earlier unit (or a fixed one): combine other words
        UPDATE u0 SET attempt = attempt + 1
         WHERE i IN (SELECT i FROM (SELECT i, row_number() OVER (PARTITION BY name ORDER BY i) AS rn FROM u0) d WHERE rn > 1)
            OR name IN (SELECT f.name FROM fixed_unit f);
        GET DIAGNOSTICS n = ROW_COUNT;
        EXIT WHEN n = 0;
        rounds := rounds + 1;
        IF rounds > 50 THEN
            RAISE EXCEPTION 'unit names: % names still taken after 50 attempts', n;
        END IF;
        UPDATE u0 SET name = c[1], word = c[2], used_village = c[3]::boolean, owner = c[4]
          FROM (SELECT x.i, pg_temp.compose_unit(x) AS c FROM u0 x WHERE x.attempt > 0) y WHERE y.i = u0.i;
    END LOOP;
END
$names$;

-- The fixed units after the generated ones; their town and village are the
-- ones their name mentions.
INSERT INTO u0 (i, k, t, v, r, name, word, used_village, owner, attempt)
SELECT (SELECT max(i) FROM u0) + f.f, 'fixed',
       coalesce(vm.t, tm.t, lm.t, CASE WHEN pg_temp.h('town', f.f + 100000) % 100 < 35 THEN 1
                                       WHEN pg_temp.h('town', f.f + 100000) % 100 < 75 THEN 2 ELSE 3 END),
       coalesce(vm.v, (1 + pg_temp.h('village', f.f + 100000) % 12)::integer),
       (1 + pg_temp.h('road', f.f + 100000) % 7)::integer, f.name, NULL, vm.v IS NOT NULL, NULL, 0
  FROM fixed_unit f
  LEFT JOIN LATERAL (SELECT tw.t, vv.v FROM town tw, unnest(tw.villages) WITH ORDINALITY AS vv(village, v)
                      WHERE regexp_replace(vv.village, '村$', '') NOT IN (SELECT short FROM town)
                        AND strpos(f.name, regexp_replace(vv.village, '村$', '')) > 0
                      ORDER BY tw.t, vv.v LIMIT 1) vm ON true
  LEFT JOIN LATERAL (SELECT tw.t FROM town tw WHERE strpos(f.name, tw.short) > 0 ORDER BY tw.t LIMIT 1) tm ON true
  LEFT JOIN LATERAL (SELECT l.t FROM landmark l WHERE strpos(f.name, l.word) > 0 ORDER BY l.t LIMIT 1) lm ON true;

-- ------------------------------------------------------------- the units --

CREATE TEMP TABLE u AS
WITH base AS (
    SELECT x.i, x.k, x.name, x.word, x.used_village, x.owner, tw.t, tw.name AS town, tw.division AS town_division, tw.park,
           tw.exchange, tw.villages[x.v] AS village, tw.roads[1 + (x.r - 1) % cardinality(tw.roads)] AS road,
           coalesce(kd.tpl, 'fixed') AS tpl, coalesce(kd.venue, f.venue) AS venue,
           coalesce(kd.unit_type, f.unit_type) AS unit_type, coalesce(kd.ctype, f.ctype) AS ctype,
           coalesce(kd.area_lo, f.area_lo) AS area_lo, coalesce(kd.area_hi, f.area_hi) AS area_hi,
           kd.crowded AS crowded_rule, kd.key_area, f.crowded AS f_crowded, f.key AS f_key,
           coalesce(kd.risk, f.risk) AS risk0, coalesce(kd.bcat, f.bcat) AS bcat,
           CASE WHEN f.f IS NOT NULL THEN f.authority
                WHEN x.word IN ('化工', '精细化工', '涂料', '化工厂') THEN '应急管理局'
                WHEN kd.k = 'c_office' AND x.word NOT IN ('房地产开发', '建筑工程', '建设工程', '市政工程', '装饰工程',
                                                          '园林绿化', '安装工程', '电力工程') THEN '市场监管局'
                ELSE kd.authority END AS authority,
           x.word IN ('化工', '精细化工', '涂料', '化工厂') AS hazardous,
           x.word IN ('纺织', '服装', '家具', '木业', '塑料制品', '包装制品', '纸制品', '印刷', '木器加工厂', '塑料加工厂',
                      '纸箱厂', '服装加工厂', '电动车行', '废品回收站', '纺织厂', '塑料厂', '包装厂', '印刷厂') AS combustible,
           x.word IN ('纺织', '服装', '纺织厂') AS labour_intensive
      FROM u0 x
      JOIN town tw ON tw.t = x.t
      LEFT JOIN kind kd ON kd.k = x.k
      LEFT JOIN fixed_unit f ON x.k = 'fixed' AND f.name = x.name
), sized AS (
    SELECT b.*,
           CASE WHEN b.tpl = 'fixed'
                THEN b.area_lo + (b.area_hi - b.area_lo) * (pg_temp.h('area1', b.i) % 1000) / 1000
                -- most units are small: the product of two uniform draws
                ELSE b.area_lo + (b.area_hi - b.area_lo) * (pg_temp.h('area1', b.i) % 1000)
                                 * (pg_temp.h('area2', b.i) % 1000) / 1000000 END AS area,
           CASE WHEN b.tpl IN ('ind', 'clinic') OR pg_temp.h('cents', b.i) % 5 < 2 THEN 0
                ELSE pg_temp.h('cents', b.i) % 100 END AS cents
      FROM base b
), flagged AS (
    SELECT s.*,
           CASE WHEN s.tpl = 'fixed' THEN s.f_crowded
                WHEN s.crowded_rule = 'always' THEN true
                WHEN s.crowded_rule = 'area' THEN s.area >= 300 ELSE false END AS crowded,
           CASE WHEN s.tpl = 'fixed' THEN s.f_key
                WHEN s.key_area IS NULL THEN false
                WHEN s.key_area = 0 THEN true
                WHEN s.hazardous THEN s.area >= 2000
                WHEN s.labour_intensive THEN s.area >= 8000
                ELSE s.area >= s.key_area END AS key
      FROM sized s
), rated AS (
    SELECT f.*,
           greatest(CASE WHEN f.key THEN 2 ELSE 1 END, least(4,
               CASE WHEN f.hazardous OR f.venue = '易燃易爆危险品场所' THEN 4
                    ELSE greatest(f.risk0, CASE WHEN f.combustible THEN 3 ELSE 1 END)
                         + CASE WHEN f.tpl = 'fixed' THEN 0
                                WHEN pg_temp.h('risk', f.i) % 20 < 3 THEN -1
                                WHEN pg_temp.h('risk', f.i) % 20 >= 17 THEN 1 ELSE 0 END END)) AS risk
      FROM flagged f
)
SELECT r.*,
       CASE WHEN x < 52 THEN 'A' WHEN x < 86 THEN 'B' WHEN x < 96 THEN 'C' ELSE 'D' END AS credit,
       coalesce(r.owner, pg_temp.person('responsible', r.i)) AS responsible,
       CASE WHEN r.tpl = 'branch' THEN NULL
            WHEN r.ctype = '91' AND pg_temp.h('legalrep', r.i) % 10 >= 8 THEN pg_temp.person('legalrep', r.i)
            ELSE NULL END AS other_legal_rep,
       CASE WHEN r.ctype = '92' AND pg_temp.h('manager', r.i) % 100 < 55 THEN NULL
            ELSE pg_temp.person('manager', r.i) END AS manager,
       CASE WHEN r.ctype IN ('11', '12') OR (r.ctype = '91' AND pg_temp.h('rphone', r.i) % 10 < 3)
            THEN pg_temp.landline(r.exchange, 'rphone', r.i) ELSE pg_temp.mobile('rphone', r.i) END AS responsible_phone,
       pg_temp.mobile('mphone', r.i) AS manager_phone,
       (pg_temp.h('active', r.i) % 250 = 0 AND r.tpl IN ('ind', 'clinic') AND NOT r.key) AS closed
  FROM rated r,
       LATERAL (SELECT (pg_temp.h('credit', r.i) % 100)::integer
                       + CASE WHEN r.tpl IN ('ind', 'clinic') THEN 3 ELSE 0 END
                       + CASE WHEN r.risk >= 4 THEN 3 ELSE 0 END
                       - CASE WHEN r.ctype IN ('11', '12', '51', '53') THEN 12 ELSE 0 END AS x) c;
ALTER TABLE u ADD PRIMARY KEY (i);

-- Codes: the organisation-code part comes from an injective function of the
-- row number, so no two units share one.  New codes (since 2015) carry an
-- assigned part (MA… by market regulation, MJ… by civil affairs, MB… for
-- public institutions, MC… for places of worship) and mostly the zone's own
-- division 370390; converted older codes keep the organisation code and the
-- division of the authority that registered them (淄川 370302, 周村 370306,
-- or the city, 370300).  About one old individual business in fifty still
-- has only its 15-digit registration number.
ALTER TABLE u ADD COLUMN code text;
UPDATE u SET code = CASE
    WHEN ctype = '92' AND pg_temp.h('regno', i) % 50 = 0
        THEN pg_temp.regno(town_division || '6' || lpad(((i::bigint * 7919 + 1357) % 10000000)::text, 7, '0'))
    WHEN ctype = '91' AND pg_temp.h('legacy', i) % 10 < 3
        THEN pg_temp.uscc('91', CASE WHEN pg_temp.h('div', i) % 5 < 3 THEN town_division ELSE '370300' END,
                          pg_temp.pick(ARRAY['16','26','49','55','56','57','58','59','66','67','68','69','73','75','76','77','78','79'], 'orgp', i)
                          || lpad(((i::bigint * 7919 + 54321) % 1000000)::text, 6, '0'))
    WHEN ctype = '92' AND pg_temp.h('legacy', i) % 5 = 0
        THEN pg_temp.uscc('92', town_division, 'L' || pg_temp.b31((i::bigint * 8293627 + 2468) % 27512614111, 7))
    WHEN ctype IN ('91', '92', '93')
        THEN pg_temp.uscc(ctype, CASE WHEN pg_temp.h('div', i) % 4 < 3 THEN '370390' ELSE town_division END,
                          pg_temp.pick(ARRAY['MA3','MA3','MA3','MA3','MA9','MAC','MAD'], 'orgp', i)
                          || pg_temp.b31((i::bigint * 829459 + 1234567) % 28629151, 5))
    WHEN ctype = '12' AND pg_temp.h('legacy', i) % 5 < 2
        THEN pg_temp.uscc('12', town_division, '49' || lpad(((i::bigint * 7919 + 97531) % 1000000)::text, 6, '0'))
    WHEN ctype = '12' THEN pg_temp.uscc('12', '370390', 'MB' || pg_temp.b31((i::bigint * 8293627 + 8642) % 887503681, 6))
    WHEN ctype = '11' THEN pg_temp.uscc('11', '370390', '00' || lpad(((i::bigint * 7919 + 11111) % 1000000)::text, 6, '0'))
    WHEN ctype IN ('51', '52', '53')
        THEN pg_temp.uscc(ctype, '370390', 'MJ' || pg_temp.pick(ARRAY['D','E'], 'orgp', i)
                                           || pg_temp.b31((i::bigint * 829459 + 3579) % 28629151, 5))
    WHEN ctype = '71' THEN pg_temp.uscc('71', '370390', 'MC' || pg_temp.b31((i::bigint * 8293627 + 4680) % 887503681, 6))
    END;

-- One unit holds a registered code whose check character is wrong (issued
-- before validation was strict): a converted code of a manufacturer, last
-- character moved one place along the alphabet.  It loads only through its
-- recorded exception.
CREATE TEMP TABLE exception_unit AS
SELECT i, code AS valid_code,
       left(code, 17) || substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
                                1 + strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', right(code, 1)) % 31, 1) AS code
  FROM u
 WHERE k = 'c_mfg' AND NOT key AND code ~ '^91[0-9]{6}[0-9]{8}' AND substr(code, 3, 6) = '370302'
 ORDER BY pg_temp.h('exception', i), i LIMIT 1;
UPDATE u SET code = e.code FROM exception_unit e WHERE e.i = u.i;

-- Addresses: the town, then the village the name mentions (or, for a shop,
-- a farm or a guesthouse, often a village), an industrial park for half the
-- factories and warehouses, else a road; a house number.
ALTER TABLE u ADD COLUMN address_kind text, ADD COLUMN address text, ADD COLUMN building_category text;
UPDATE u SET address_kind = CASE
    WHEN used_village
         OR (venue IN ('餐饮场所', '宾馆饭店', '商场市场', '仓储场所') AND tpl IN ('ind', 'coop') AND pg_temp.h('addr', i) % 10 < 6)
         OR (tpl NOT IN ('fixed', 'branch') AND pg_temp.h('addr', i) % 10 < 2) THEN 'village'
    WHEN venue IN ('生产加工企业', '仓储场所') AND tpl IN ('co', 'factory') AND pg_temp.h('addr', i) % 10 < 5 THEN 'park'
    ELSE 'road' END;
UPDATE u SET address = '山东省淄博市文昌湖省级旅游度假区' || town || CASE address_kind
    WHEN 'village' THEN village || (1 + pg_temp.h('houseno', i) % 260)::text || '号'
    WHEN 'park' THEN park || pg_temp.pick(ARRAY['一路','二路','三路','纬一路','纬二路','经一路'], 'parkroad', i)
                     || (1 + pg_temp.h('houseno', i) % 120)::text || '号'
    ELSE road || (1 + (pg_temp.h('houseno', i) % 40) * (1 + pg_temp.h('houseno2', i) % 40))::text || '号' END;

-- The building a unit is in (所在建筑类别); left empty for some small ones.
UPDATE u SET building_category = CASE bcat
    WHEN 'public' THEN CASE WHEN area >= 10000 AND venue IN ('宾馆饭店', '办公场所', '商场市场') THEN '高层公共建筑'
                            WHEN area >= 1000 THEN '多层公共建筑'
                            WHEN pg_temp.h('bcat', i) % 10 < 6 THEN '多层公共建筑' ELSE '单层公共建筑' END
    WHEN 'small' THEN CASE WHEN pg_temp.h('bcat', i) % 10 = 0 THEN NULL
                           WHEN address_kind = 'village' AND pg_temp.h('bcat', i) % 10 < 8 THEN '农村自建房'
                           WHEN pg_temp.h('bcat', i) % 10 < 6 THEN '多层公共建筑' ELSE '单层公共建筑' END
    WHEN 'plant' THEN '厂房'
    WHEN 'store' THEN '仓库'
    WHEN 'home' THEN CASE WHEN area >= 40000 THEN '高层住宅建筑' ELSE '多层住宅建筑' END
    WHEN 'scenic' THEN CASE WHEN area >= 3000 THEN '多层公共建筑' ELSE '单层公共建筑' END
    ELSE '单层公共建筑' END;

-- ------------------------------------------------------------ inspectors --

-- The brigade's 24 officers holding an enforcement certificate (执法资格证):
-- the number says the year it was first issued; every certificate stays valid
-- for months after the plan month except one, which expires on the 20th of
-- that month (available_inspectors leaves that officer out of the month).
CREATE TEMP TABLE ins (k integer, code text, name text, gender text, position text, post text, title text,
                       years integer, since integer, expires_in_plan_month boolean);
INSERT INTO ins
SELECT k, 'WCH-' || lpad(k::text, 3, '0'), name, gender, position, post, title, years, since, k = 19
  FROM (VALUES
    (1, '孙浩然', 'M', '大队长', '综合管理', '管理', 17, 2009),
    (2, '李振东', 'M', '教导员', '综合管理', '管理', 14, 2012),
    (3, '王立新', 'M', '副大队长', '防火监督', '工程技术', 12, 2014),
    (4, '张丽娜', 'F', '副大队长', '法制审核', '法律', 11, 2015),
    (5, '刘建伟', 'M', '参谋', '防火监督', '工程技术', 9, 2017),
    (6, '赵明轩', 'M', '监督员', '防火监督', '工程技术', 7, 2019),
    (7, '徐国栋', 'M', '监督员', '防火监督', '工程技术', 8, 2018),
    (8, '高晓燕', 'F', '参谋', '法制审核', '法律', 6, 2020),
    (9, '马俊杰', 'M', '监督员', '火灾调查', '工程技术', 10, 2016),
    (10, '韩志强', 'M', '监督员', '防火监督', NULL, 5, 2021),
    (11, '陈思远', 'M', '监督员', '防火监督', '工程技术', 4, 2022),
    (12, '杨帆', 'M', '参谋', '消防宣传', '管理', 6, 2020),
    (13, '毕文博', 'M', '监督员', '防火监督', '工程技术', 3, 2023),
    (14, '翟雪梅', 'F', '监督员', '防火监督', '法律', 5, 2021),
    (15, '孟凡超', 'M', '监督员', '火灾调查', '工程技术', 7, 2019),
    (16, '郭瑞', 'M', '监督员', '防火监督', '工程技术', 3, 2023),
    (17, '宋佳怡', 'F', '参谋', '防火监督', '管理', 2, 2024),
    (18, '于海洋', 'M', '监督员', '防火监督', '工程技术', 9, 2017),
    (19, '董鹏飞', 'M', '监督员', '防火监督', NULL, 6, 2020),
    (20, '崔明亮', 'M', '监督员', '防火监督', '工程技术', 4, 2022),
    (21, '蒲东升', 'M', '监督员', '防火监督', '工程技术', 6, 2020),
    (22, '路晓彤', 'F', '监督员', '法制审核', '法律', 3, 2023),
    (23, '田家豪', 'M', '监督员', '防火监督', '工程技术', 2, 2024),
    (24, '房子健', 'M', '参谋', '火灾调查', '工程技术', 5, 2021)
  ) AS v(k, name, gender, position, post, title, years, since);

-- Absences in the plan month (days of the month, clipped to its last day).
CREATE TEMP TABLE absence (inspector text, first_dom integer, last_dom integer, reason text, note text);
INSERT INTO absence VALUES
    ('WCH-003', 5, 16, 'training', '学习培训：赴山东省消防救援总队参加执法骨干培训班'),
    ('WCH-006', 20, 24, 'leave', '休假：探亲假'),
    ('WCH-008', 1, 10, 'leave', '休假：年休假'),
    ('WCH-011', 12, 14, 'official_travel', '公差：赴淄博市消防救援支队参加火灾事故调查会商'),
    ('WCH-014', 1, 31, 'leave', '休假：产假'),
    ('WCH-020', 16, 31, 'post_change', '岗位调整：调任淄博市消防救援支队防火监督处'),
    ('WCH-023', 19, 23, 'other', '抽调：参加区安全生产委员会督导检查组');

-- --------------------------------------------------------------- recusals --

-- Officers related to a unit (回避), and the person on the unit's side where
-- the relation names one (the directory row says so too).
CREATE TEMP TABLE recusal (inspector text, i integer, reason text, relative text, relative_role text);
INSERT INTO recusal
SELECT 'WCH-005', (SELECT i FROM u WHERE venue = '宾馆饭店' AND key AND crowded AND NOT closed ORDER BY pg_temp.h('recusal1', i), i LIMIT 1),
       '配偶赵雪梅任该单位消防安全管理人', '赵雪梅', 'manager'
UNION ALL
SELECT 'WCH-009', (SELECT i FROM u WHERE k = 'c_mfg' AND key ORDER BY pg_temp.h('recusal2', i), i LIMIT 1),
       '其兄马俊峰系该单位法定代表人', '马俊峰', 'legal'
UNION ALL
SELECT 'WCH-012', (SELECT i FROM u WHERE k = 'c_food' AND crowded ORDER BY pg_temp.h('recusal3', i), i LIMIT 1),
       '与该单位实际控制人系同学关系，可能影响公正执法', NULL, NULL
UNION ALL
SELECT 'WCH-016', (SELECT i FROM u WHERE venue = '学校' AND k = 'fixed' AND key ORDER BY pg_temp.h('recusal4', i), i LIMIT 1),
       '配偶在该校任教', NULL, NULL
UNION ALL
SELECT 'WCH-021', (SELECT i FROM u WHERE k = 'c_wh' AND key ORDER BY pg_temp.h('recusal5', i), i LIMIT 1),
       '岳父刘德胜系该单位法定代表人', '刘德胜', 'legal'
UNION ALL
SELECT 'WCH-007', (SELECT i FROM u WHERE k = 'i_lodge' AND NOT closed AND owner IS NULL ORDER BY pg_temp.h('recusal6', i), i LIMIT 1),
       '父亲徐传福系该民宿经营者', '徐传福', 'legal';
UPDATE u SET manager = r.relative FROM recusal r WHERE r.i = u.i AND r.relative_role = 'manager';
UPDATE u SET responsible = r.relative, other_legal_rep = NULL FROM recusal r WHERE r.i = u.i AND r.relative_role = 'legal';

-- ------------------------------------------------------------ risk signals --

-- Over the 90 days before the plan month, up to the first day of the month
-- the plan is drawn in (nothing lies in the future when it is drawn): alarms
-- of the IoT platform for the units connected to it (key units and large
-- sites), complaints through the 12345 hotline, hazards reported by other
-- departments and by grid workers; more of them where credit is poor.
CREATE TEMP TABLE signal AS
WITH cand AS (
    SELECT u.i, u.code, u.venue, u.credit, u.key, u.authority, 'iot_alarm' AS kind, n AS nth
      FROM u, generate_series(1, 3) n
     WHERE NOT u.closed AND (u.key OR (u.area >= 5000 AND u.venue IN ('宾馆饭店', '商场市场', '生产加工企业', '仓储场所')))
       AND pg_temp.h('iot' || n, u.i) % 100 < CASE n WHEN 1 THEN 30 WHEN 2 THEN 12 ELSE 4 END
                                            + CASE WHEN u.credit IN ('C', 'D') THEN 15 ELSE 0 END
    UNION ALL
    SELECT u.i, u.code, u.venue, u.credit, u.key, u.authority, 'complaint', 1
      FROM u
     WHERE NOT u.closed AND u.venue IN ('餐饮场所', '商场市场', '宾馆饭店', '公共娱乐场所', '住宅小区', '景区', '养老机构', '学校')
       AND pg_temp.h('complaint', u.i) % 1000 < CASE WHEN u.credit IN ('C', 'D') THEN 90 ELSE 22 END
    UNION ALL
    SELECT u.i, u.code, u.venue, u.credit, u.key, u.authority, 'hazard_report', 1
      FROM u
     WHERE NOT u.closed AND u.authority IN ('市场监管局', '应急管理局', '文化和旅游局', '教育和体育局', '住房和城乡建设局',
                                            '民政局', '卫生健康局', '商务局', '工业和信息化局')
       AND pg_temp.h('hazard', u.i) % 1000 < CASE WHEN u.credit IN ('C', 'D') THEN 70 ELSE 14 END
    UNION ALL
    SELECT u.i, u.code, u.venue, u.credit, u.key, u.authority, 'other', 1
      FROM u
     WHERE NOT u.closed AND u.k IN ('i_food', 'i_shop', 'i_mfg', 'i_wh', 'c_prop')
       AND pg_temp.h('grid', u.i) % 1000 < 8
), placed AS (
    SELECT c.*, row_number() OVER (ORDER BY c.i, c.kind, c.nth)::integer AS s,
           p.signals_from + (pg_temp.h('sday' || c.kind || c.nth, c.i) % (p.evidence_until - p.signals_from))::integer AS day
      FROM cand c, plan p
)
SELECT p.*,
       CASE p.kind WHEN 'iot_alarm' THEN 'WL' WHEN 'complaint' THEN 'GD' WHEN 'hazard_report' THEN 'JC' ELSE 'WG' END
           || to_char(p.day, 'YYYYMMDD') || lpad(p.s::text, 5, '0') AS source_ref,
       CASE p.kind WHEN 'iot_alarm' THEN '智慧消防物联网平台'
                   WHEN 'complaint' THEN '12345政务服务便民热线'
                   WHEN 'hazard_report' THEN p.authority
                   ELSE '网格化服务管理平台' END AS source_system,
       -- alarms at any hour; calls from 8:00 to 21:59; inspections in office hours
       CASE p.kind WHEN 'iot_alarm' THEN pg_temp.h('shour', p.s) % 24
                   WHEN 'complaint' THEN 8 + pg_temp.h('shour', p.s) % 14
                   ELSE 9 + pg_temp.h('shour', p.s) % 8 END AS hour,
       pg_temp.h('smin', p.s) % 60 AS minute, pg_temp.h('ssec', p.s) % 60 AS second,
       CASE p.kind
       WHEN 'iot_alarm' THEN replace(replace(pg_temp.pick(ARRAY[
            '火灾自动报警系统报火警（{loc}感烟探测器），经值班人员现场核实为误报',
            '火灾自动报警系统报火警（{loc}），现场确认为粉尘引起，已复位',
            '消防水池液位低于设定下限（剩余{n}0厘米）',
            '室内消火栓系统管网压力低于设定值（0.{n}兆帕）',
            '自动喷水灭火系统末端试水装置压力异常',
            '电气火灾监控系统剩余电流超限（{n}00毫安，{loc}配电箱）',
            '消防控制室值班人员离岗超过{n}0分钟',
            '火灾报警控制器主电源故障，已切换备用电源',
            '火灾报警控制器屏蔽探测器{n}只，未说明原因',
            '防火门监控器报常闭防火门处于开启状态（{loc}）'], 'sdetail', p.s),
            '{loc}', CASE p.venue WHEN '宾馆饭店' THEN pg_temp.pick(ARRAY['二层客房走廊','三层客房走廊','一层大堂','厨房操作间'], 'sloc', p.s)
                                  WHEN '生产加工企业' THEN pg_temp.pick(ARRAY['一号生产车间','二号生产车间','成品库房','配电室'], 'sloc', p.s)
                                  WHEN '仓储场所' THEN pg_temp.pick(ARRAY['一号库房','二号库房','分拣区','配电室'], 'sloc', p.s)
                                  WHEN '学校' THEN pg_temp.pick(ARRAY['学生宿舍楼三层','教学楼二层','食堂操作间'], 'sloc', p.s)
                                  WHEN '医院' THEN pg_temp.pick(ARRAY['住院部二层','门诊楼一层','药品库房'], 'sloc', p.s)
                                  WHEN '养老机构' THEN pg_temp.pick(ARRAY['老人居室二层','餐厅','洗衣房'], 'sloc', p.s)
                                  ELSE pg_temp.pick(ARRAY['一层大厅','二层营业区','地下一层','配电室'], 'sloc', p.s) END),
            '{n}', (2 + pg_temp.h('sn', p.s) % 7)::text)
       WHEN 'complaint' THEN pg_temp.pick(ARRAY[
            '群众来电反映该单位安全出口上锁',
            '群众来电反映该单位疏散通道堆放杂物',
            '群众来电反映该单位门前电动自行车违规停放充电',
            '群众来电反映该单位后厨液化气钢瓶存放在地下室',
            '群众来电反映该单位装修使用易燃材料',
            '群众来电反映该单位灭火器过期无人更换',
            '群众来电反映该场所应急照明和疏散指示标志不亮'], 'sdetail', p.s)
       WHEN 'hazard_report' THEN CASE p.authority
            WHEN '市场监管局' THEN pg_temp.pick(ARRAY['食品安全检查中发现后厨液化气钢瓶与灶具未保持安全距离',
                                                     '特种设备检查中发现锅炉房内堆放可燃物'], 'sdetail', p.s)
            WHEN '应急管理局' THEN pg_temp.pick(ARRAY['安全生产检查发现车间内易燃易爆物品超量存放',
                                                     '安全生产检查发现动火作业未办理审批手续'], 'sdetail', p.s)
            WHEN '文化和旅游局' THEN pg_temp.pick(ARRAY['旅游安全检查发现客房内违规使用大功率电热器具',
                                                       '旅游安全检查发现疏散指示标志缺失'], 'sdetail', p.s)
            WHEN '教育和体育局' THEN '校园安全检查发现宿舍内私拉乱接电线'
            WHEN '住房和城乡建设局' THEN pg_temp.pick(ARRAY['燃气安全排查发现使用不合格燃气软管',
                                                           '检查发现消防车通道被占用'], 'sdetail', p.s)
            WHEN '民政局' THEN '养老服务机构安全检查发现部分居室未设置火灾探测器'
            WHEN '卫生健康局' THEN '医疗机构安全检查发现氧气瓶存放不规范'
            WHEN '商务局' THEN '商贸流通领域安全检查发现库房内电动叉车违规充电'
            ELSE '工业企业安全检查发现厂房内违规设置员工宿舍' END
       ELSE pg_temp.pick(ARRAY['网格员巡查发现楼道内电动自行车飞线充电',
                               '网格员巡查发现门前违规搭建彩钢板房',
                               '网格员巡查发现院内堆放大量废旧纸箱'], 'sdetail', p.s) END AS detail
  FROM placed p;

-- --------------------------------------------------------------- outcomes --

-- What inspections found over the 18 months before the plan month (up to
-- the first day of the month the plan is drawn in): key units were
-- inspected once or twice, other units now and then; a D unit was penalised
-- at its latest inspection, a C unit had violations, B units sometimes.
-- Most records come from the provincial double-random platform, penalties
-- and the rest from the fire supervision system with their document numbers;
-- a few inspections were the detachment's.
CREATE TEMP TABLE outcome AS
WITH inspected AS (
    SELECT u.i, u.code, u.credit, n AS nth,
           CASE WHEN u.key THEN 1 + (pg_temp.h('ocount', u.i) % 2)::integer
                WHEN u.credit IN ('C', 'D') OR pg_temp.h('ocount', u.i) % 100 < 22 THEN 1 ELSE 0 END AS times
      FROM u, generate_series(1, 2) n
     WHERE NOT u.closed
), dated AS (
    SELECT x.*, d - CASE extract(isodow FROM d) WHEN 6 THEN 1 WHEN 7 THEN 2 ELSE 0 END AS day
      FROM (SELECT n.*, p.evidence_until - 3
                        - (pg_temp.h('oday' || n.nth, n.i) % (p.evidence_until - p.outcomes_from - 6))::integer AS d
              FROM inspected n, plan p WHERE n.nth <= n.times) x
), judged AS (
    SELECT d.*, row_number() OVER (PARTITION BY d.i ORDER BY d.day DESC, d.nth) = 1 AS latest,
           CASE WHEN pg_temp.h('oagency', d.i * 2 + d.nth) % 25 = 0 THEN 'ZB' ELSE 'WCH' END AS agency
      FROM dated d
), graded AS (
    SELECT j.*,
           CASE WHEN j.credit = 'D' AND j.latest THEN 'penalised'
                WHEN j.credit = 'D' THEN 'violation'
                WHEN j.credit = 'C' AND j.latest THEN 'violation'
                WHEN j.credit = 'B' AND pg_temp.h('ograde', j.i * 2 + j.nth) % 10 < 3 THEN 'violation'
                WHEN j.credit = 'A' AND pg_temp.h('ograde', j.i * 2 + j.nth) % 40 = 0 THEN 'violation'
                ELSE 'compliant' END AS outcome
      FROM judged j
), sourced AS (
    SELECT g.*,
           CASE WHEN g.outcome = 'penalised' OR pg_temp.h('osource', g.i * 2 + g.nth) % 10 < 3
                THEN '消防监督管理系统' ELSE '山东省双随机监管平台' END AS source
      FROM graded g
)
SELECT s.*,
       CASE WHEN s.source = '山东省双随机监管平台'
            THEN 'SDSJ' || to_char(s.day, 'YYYYMMDD') || lpad((row_number() OVER (PARTITION BY s.source, s.day ORDER BY s.i, s.nth))::text, 4, '0')
            ELSE CASE s.agency WHEN 'ZB' THEN '淄' ELSE '文昌湖' END
                 || CASE s.outcome WHEN 'penalised' THEN '消行罚决字' WHEN 'violation' THEN '消限字' ELSE '消检字' END
                 || '〔' || to_char(s.day, 'YYYY') || '〕第'
                 || lpad((row_number() OVER (PARTITION BY s.source, s.agency, s.outcome = 'penalised', s.outcome = 'violation',
                                                          date_part('year', s.day) ORDER BY s.day, s.i, s.nth))::text, 4, '0') || '号'
       END AS source_ref,
       CASE s.outcome
       WHEN 'compliant' THEN '未发现问题'
       WHEN 'violation' THEN pg_temp.pick(ARRAY['疏散通道堆放杂物，已责令改正', '消防设施未保持完好有效，责令限期改正',
                                                 '安全出口上锁，当场改正', '未按规定开展防火检查巡查，责令限期改正',
                                                 '消防控制室值班人员未持证上岗，责令限期改正', '常闭式防火门处于常开状态，当场改正',
                                                 '电动自行车在室内停放充电，当场改正'], 'onote', s.i * 2 + s.nth)
       ELSE pg_temp.pick(ARRAY['占用、堵塞疏散通道，罚款人民币五千元', '消防设施未保持完好有效，罚款人民币一万元',
                               '埋压、圈占消火栓，罚款人民币八千元', '锁闭安全出口，罚款人民币一万五千元'], 'onote', s.i * 2 + s.nth)
       END AS note
  FROM sourced s;

-- --------------------------------------------------------------- bad rows --

-- A separate file of rows the loader must refuse, each for a reason the demo
-- shows: codes that fail, blank mandatory fields, values out of their range.
CREATE TEMP TABLE bad AS
SELECT line, code, name, address, responsible_person, unit_type, agency, legal_representative, responsible_phone,
       manager_name, manager_phone, building_area, building_category, venue_category, industry_authority, region,
       is_key_unit, is_crowded_place, credit_class, risk_level, active
  FROM (VALUES
    (2, (SELECT left(c, 17) || CASE WHEN right(c, 1) = '0' THEN '1' ELSE '0' END
           FROM (SELECT pg_temp.uscc('91', '370390', 'MA3' || pg_temp.b31(829459::bigint * 9001 % 28629151, 5)) AS c) x),
        '淄博湖畔鸿福温泉酒店有限公司', '山东省淄博市文昌湖省级旅游度假区商家镇环湖东路266号', '李鸿福', '企业', 'WCH', '李鸿福',
        '13853312876', '王晓丽', '15905338817', '6820.50', '多层公共建筑', '宾馆饭店', '文化和旅游局', '370390',
        'true', 'true', 'A', '3', 'true'),
    (3, pg_temp.uscc('92', '370390', 'MA3' || pg_temp.b31(829459::bigint * 9002 % 28629151, 5)),
        '文昌湖区萌水镇聚贤楼饭店', '', '', '个体工商户', 'WCH', '',
        '13706432518', '', '', '180', '单层公共建筑', '餐饮场所', '市场监管局', '370390',
        'false', 'false', 'B', '2', 'true'),
    (4, pg_temp.uscc('91', '370390', 'MA3' || pg_temp.b31(829459::bigint * 9003 % 28629151, 5)),
        '淄博岭南兴达机械制造有限公司', '山东省淄博市文昌湖省级旅游度假区岭子镇岭子工业园二路18号', '赵兴达', '企业', 'WCH', '赵兴达',
        '0533-5128807', '孙立军', '18653319902', '12500', '厂房', '生产加工企业', '工业和信息化局', '370390',
        'false', 'false', 'E', '2', 'true'),
    (5, '37030260012345X',
        '文昌湖区商家镇老周家修车铺', '山东省淄博市文昌湖省级旅游度假区商家镇商家大道97号', '周长顺', '个体工商户', 'WCH', '周长顺',
        '13963398265', '', '', '90', '单层公共建筑', '生产加工企业', '市场监管局', '370390',
        'false', 'false', 'B', '2', 'true'),
    (6, pg_temp.uscc('92', '370390', 'MA3' || pg_temp.b31(829459::bigint * 9005 % 28629151, 5)),
        '文昌湖区岭子镇星光台球厅', '山东省淄博市文昌湖省级旅游度假区岭子镇岭南路52号', '高振宇', '个体工商户', 'WCH', '高振宇',
        '电话待补', '', '', '260', '多层公共建筑', '公共娱乐场所', '文化和旅游局', '370390',
        'false', 'true', 'B', '5', 'true'),
    (7, pg_temp.uscc('91', '370390', 'MA3' || pg_temp.b31(829459::bigint * 9006 % 28629151, 5)),
        '淄博渔洋湾农产品冷链物流有限公司', '山东省淄博市文昌湖省级旅游度假区商家镇商家物流园一路9号', '韩冬梅', '企业', 'WCH', '韩冬梅',
        '15266917730', '韩立强', '13561656421', '约1200平方米', '仓库', '仓储场所', '交通运输局', '370390',
        'false', 'false', 'A', '3', 'true'),
    (8, pg_temp.uscc('92', '370390', 'MA3' || pg_temp.b31(829459::bigint * 9007 % 28629151, 5)),
        '文昌湖区萌水镇湖景渔家民宿', '山东省淄博市文昌湖省级旅游度假区萌水镇西河村118号', '孟庆春', '个体工商户', 'WHC', '孟庆春',
        '13792181106', '', '', '320', '农村自建房', '宾馆饭店', '文化和旅游局', '370390',
        'false', 'true', 'A', '2', 'true'),
    (9, pg_temp.uscc('91', '370390', 'MA3' || pg_temp.b31(829459::bigint * 9008 % 28629151, 5)),
        '淄博文昌湖星辰影院管理有限公司', '山东省淄博市文昌湖省级旅游度假区商家镇湖光路300号', '袁晨阳', '企业', 'WCH', '袁晨阳',
        '0533-6210933', '袁丽华', '18766933208', '1850', '多层公共建筑', '公共娱乐场所', '文化和旅游局', '370390',
        'true', '待定', 'B', '3', 'true')
  ) AS v(line, code, name, address, responsible_person, unit_type, agency, legal_representative, responsible_phone,
         manager_name, manager_phone, building_area, building_category, venue_category, industry_authority, region,
         is_key_unit, is_crowded_place, credit_class, risk_level, active);

-- ------------------------------------------------------------ self-checks --

DO $check$
DECLARE
    msg text;
BEGIN
    SELECT string_agg(m, '; ') INTO msg FROM (
        SELECT format('%s unit names are not unique', count(*) - count(DISTINCT name)) AS m FROM u
        HAVING count(*) <> count(DISTINCT name)
        UNION ALL SELECT format('%s unit codes are not unique', count(*) - count(DISTINCT code)) FROM u
        HAVING count(*) <> count(DISTINCT code)
        UNION ALL SELECT format('unit name "%s" has a digit', name) FROM u WHERE name ~ '[0-9]'
        UNION ALL SELECT format('bad-row name "%s" is also a unit''s', b.name) FROM bad b JOIN u ON u.name = b.name
        UNION ALL SELECT format('code "%s" is neither valid nor a registration number', code) FROM u
         WHERE NOT spotcheck.uscc_is_valid(code) AND code !~ '^[0-9]{15}$' AND code NOT IN (SELECT code FROM exception_unit)
        UNION ALL SELECT format('recusal of %s found no unit', inspector) FROM recusal WHERE i IS NULL
        UNION ALL SELECT format('%s risk signals share a reference', count(*) - count(DISTINCT (source_system, source_ref))) FROM signal
        HAVING count(*) <> count(DISTINCT (source_system, source_ref))
        UNION ALL SELECT format('%s outcomes share a reference', count(*) - count(DISTINCT (source, source_ref))) FROM outcome
        HAVING count(*) <> count(DISTINCT (source, source_ref))) x;
    IF msg IS NOT NULL THEN
        RAISE EXCEPTION 'generated data is inconsistent: %', msg;
    END IF;
END
$check$;

-- ----------------------------------------------------------------- output --

-- Every value is text formatted here, every row ordered by integers.
COPY (SELECT code, name, address, responsible AS responsible_person, unit_type, 'WCH' AS agency,
             coalesce(other_legal_rep, CASE WHEN tpl <> 'branch' THEN responsible END) AS legal_representative,
             responsible_phone, manager AS manager_name, CASE WHEN manager IS NOT NULL THEN manager_phone END AS manager_phone,
             area::text || CASE WHEN cents = 0 THEN '' ELSE '.' || lpad(cents::text, 2, '0') END AS building_area,
             building_category, venue AS venue_category, authority AS industry_authority, '370390' AS region,
             CASE WHEN key THEN 'true' ELSE 'false' END AS is_key_unit,
             CASE WHEN crowded THEN 'true' ELSE 'false' END AS is_crowded_place,
             credit AS credit_class, risk::text AS risk_level, CASE WHEN closed THEN 'false' ELSE 'true' END AS active
        FROM u ORDER BY pg_temp.h('file order', i), i)
  TO STDOUT WITH (FORMAT csv, HEADER)
\g units.csv

COPY (SELECT code, name, gender, 'WCH' AS agency, position, certificate_no,
             pg_temp.day(CASE WHEN expires_in_plan_month THEN p.first_day + 19
                              ELSE (p.first_day + make_interval(months => 4 + (pg_temp.h('certificate', k) % 36)::integer)
                                    - interval '1 day')::date END) AS certificate_valid_until,
             post, title AS title_category, years::text AS enforcement_years, 'true' AS active
        FROM (SELECT ins.*, 'SDXF-' || since::text || '-370390-' || lpad(((k * 389 + 71) % 1000)::text, 3, '0') AS certificate_no
                FROM ins) i, plan p
       ORDER BY k)
  TO STDOUT WITH (FORMAT csv, HEADER)
\g inspectors.csv

COPY (SELECT a.inspector, pg_temp.day(p.first_day + a.first_dom - 1) AS starts,
             pg_temp.day(least(p.first_day + a.last_dom - 1, p.last_day)) AS ends, a.reason, a.note
        FROM absence a, plan p ORDER BY a.inspector)
  TO STDOUT WITH (FORMAT csv, HEADER)
\g absences.csv

COPY (SELECT r.inspector, u.code AS unit, r.reason FROM recusal r JOIN u ON u.i = r.i ORDER BY r.inspector)
  TO STDOUT WITH (FORMAT csv, HEADER)
\g recusals.csv

COPY (SELECT code, 'WCH' AS agency,
             '营业执照（' || CASE substr(code, 3, 6) WHEN '370300' THEN '淄博市' WHEN '370306' THEN '周村区' ELSE '淄川区' END
             || '市场监督管理局2016年换发）载明的统一社会信用代码，第18位校验码不符合GB 32100-2015；'
             || '经淄博市市场监督管理局文昌湖分局核实为登记机关赋码，按执照原样登记' AS reason
        FROM exception_unit)
  TO STDOUT WITH (FORMAT csv, HEADER)
\g exceptions.csv

COPY (SELECT code AS unit, kind, source_system,
             pg_temp.day(day) || ' ' || lpad(hour::text, 2, '0') || ':' || lpad(minute::text, 2, '0') || ':'
             || lpad(second::text, 2, '0') || '+08' AS observed_at, detail, source_ref
        FROM signal ORDER BY day, hour, minute, second, s)
  TO STDOUT WITH (FORMAT csv, HEADER)
\g risk_signals.csv

COPY (SELECT code AS unit, agency, pg_temp.day(day) AS observed_on, outcome, source, source_ref, note
        FROM outcome ORDER BY day, i, nth)
  TO STDOUT WITH (FORMAT csv, HEADER)
\g outcomes.csv

COPY (SELECT code, name, nullif(address, '') AS address, nullif(responsible_person, '') AS responsible_person, unit_type,
             agency, nullif(legal_representative, '') AS legal_representative, responsible_phone,
             nullif(manager_name, '') AS manager_name, nullif(manager_phone, '') AS manager_phone, building_area,
             building_category, venue_category, industry_authority, region, is_key_unit, is_crowded_place, credit_class,
             risk_level, active
        FROM bad ORDER BY line)
  TO STDOUT WITH (FORMAT csv, HEADER)
\g units_bad.csv
