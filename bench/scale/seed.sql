-- One workspace's rows, written by bench/scale seed: {{.N}} contacts (names, companies and
-- emails from fixed word lists, creation spread over 1,000 days), tags (vip 20 %, partner 1 %,
-- churned ~5 %), 20 lists with 0-3 memberships per contact, and a deal for every second
-- contact. Ids are ULIDs of the rows' creation times, as the server makes them.
CREATE FUNCTION pg_temp.ulid(ts timestamptz, seed text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT (SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((v.ms >> (45 - 5 * i)) & 31)::int + 1, 1), '' ORDER BY i)
          FROM generate_series(0, 9) i)
    || (SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substring(v.b FROM 5 * j + 1 FOR 5)::int + 1, 1), '' ORDER BY j)
          FROM generate_series(0, 15) j)
FROM (SELECT floor(extract(epoch FROM ts) * 1000)::bigint AS ms,
             ('x' || substr(md5(seed), 1, 20))::bit(80) AS b) v
$$;
CREATE TEMP TABLE g AS
SELECT i, abs(hashint4(i)) AS h1, abs(hashint4(i + 1000003)) AS h2, abs(hashint4(i + 2000003)) AS h3,
       timestamptz '2023-01-01 00:00:00+00' + (i::float8 / {{.N}}) * interval '1000 days' + ((abs(hashint4(i + 5)) % 1000) * interval '1 ms') AS ts
FROM generate_series(1, {{.N}}) i;
CREATE TEMP TABLE words AS SELECT
 (ARRAY['James','Mary','John','Patricia','Robert','Jennifer','Michael','Linda','William','Elizabeth',
 'David','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah','Charles','Karen','Chris','Nancy','Daniel','Lisa',
 'Matthew','Betty','Anthony','Margaret','Mark','Sandra','Donald','Ashley','Steven','Kimberly','Paul','Emily','Andrew','Donna',
 'Joshua','Michelle','Kenneth','Dorothy','Kevin','Carol','Brian','Amanda','George','Melissa','Edward','Deborah']) AS fn,
 (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez',
 'Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez','Thompson','White',
 'Harris','Sanchez','Clark','Ramirez','Lewis','Robinson','Walker','Young','Allen','King','Wright','Scott','Torres','Nguyen','Hill',
 'Flores','Green','Adams','Nelson','Baker','Hall','Rivera','Campbell','Mitchell','Carter','Roberts']) AS ln,
 (ARRAY['Apex','Blue','Cedar','Delta','Echo','Falcon','Granite','Harbor','Iron','Juniper',
 'Keystone','Lumen','Maple','Nova','Orbit','Pine','Quartz','River','Summit','Tidal','Union','Vertex','Willow','Xenon','Yonder',
 'Zenith','Atlas','Beacon','Cobalt','Dune','Ember','Fjord','Glacier','Horizon','Indigo','Jade','Kinetic','Lotus','Meridian','Nimbus',
 'Onyx','Prism','Quantum','Redwood','Sierra','Titan','Ultra','Vista','Wave','Yield']) AS cw,
 (ARRAY['Dynamics','Systems','Labs','Works','Partners','Holdings','Analytics','Logistics','Foods','Energy','Health','Media',
 'Robotics','Capital','Networks','Studios','Foundry','Goods','Motors','Software']) AS cb,
 (ARRAY['Inc','LLC','Ltd','GmbH','Group','Co']) AS cc,
 (ARRAY['CEO','CTO','VP Sales','Head of Marketing','Engineer','Designer','Account Executive',
 'Product Manager','Founder','Director of Operations']) AS tl;
CREATE TEMP TABLE cid AS SELECT g.*, 'ctc_' || pg_temp.ulid(g.ts, '{{.Tag}}' || g.i) AS id FROM g;

-- Last names: one of 50 common names (2 % each) and 20 numbered variants ("Smith", "Smith2", …).
INSERT INTO contacts (id, workspace_id, email, first_name, last_name, company, title, phone, tags, created_at, updated_at)
SELECT c.id, '{{.WS}}',
       lower(w.fn[1 + c.h1 % 50]) || '.' || lower(w.ln[1 + c.h2 % 50]) || c.i || '@' || lower(w.cw[1 + c.h3 % 50]) || '.example.com',
       w.fn[1 + c.h1 % 50],
       w.ln[1 + c.h2 % 50] || CASE WHEN (c.h2 / 50) % 20 = 0 THEN '' ELSE ((c.h2 / 50) % 20 + 1)::text END,
       w.cw[1 + c.h3 % 50] || ' ' || w.cb[1 + (c.h3 / 50) % 20] || ' ' || w.cc[1 + (c.h3 / 1000) % 6],
       w.tl[1 + c.h1 % 10], NULL,
       CASE WHEN c.h1 % 5 = 0 AND c.h2 % 100 = 7 THEN '["vip","partner"]' WHEN c.h1 % 5 = 0 THEN '["vip"]'
            WHEN c.h2 % 100 = 7 THEN '["partner"]' WHEN c.h3 % 20 = 3 THEN '["churned"]' ELSE '[]' END,
       c.ts, c.ts + (c.h1 % 86400) * interval '1 s'
FROM cid c, words w;

INSERT INTO contact_tags (workspace_id, tag, contact_id)
SELECT '{{.WS}}', 'vip', id FROM cid WHERE h1 % 5 = 0
UNION ALL SELECT '{{.WS}}', 'partner', id FROM cid WHERE h2 % 100 = 7
UNION ALL SELECT '{{.WS}}', 'churned', id FROM cid WHERE h3 % 20 = 3 AND NOT (h1 % 5 = 0 OR h2 % 100 = 7);

CREATE TEMP TABLE lid AS
SELECT k, 'lst_' || pg_temp.ulid(timestamptz '2022-12-01 00:00:00+00' + k * interval '1 hour', '{{.Tag}}list' || k) AS id
FROM generate_series(0, 19) k;
INSERT INTO lists (id, workspace_id, name, description, created_at, updated_at)
SELECT id, '{{.WS}}', 'List ' || k, NULL, timestamptz '2022-12-01 00:00:00+00' + k * interval '1 hour',
       timestamptz '2022-12-01 00:00:00+00' + k * interval '1 hour' FROM lid;
INSERT INTO list_memberships (workspace_id, list_id, contact_id, created_at)
SELECT '{{.WS}}', lid.id, c.id, c.ts
FROM cid c, generate_series(0, 2) j, lid
WHERE j < c.h3 % 4 AND lid.k = (c.h1 + j * 7) % 20;

INSERT INTO deals (id, workspace_id, title, amount, currency, stage, contact_id, close_date, created_at, updated_at)
SELECT 'dea_' || pg_temp.ulid(c.ts + interval '1 day', '{{.Tag}}deal' || c.i), '{{.WS}}', 'Deal ' || c.i,
       (c.h2 % 100000) * 100, 'USD',
       (ARRAY['LEAD','QUALIFIED','PROPOSAL','NEGOTIATION','WON','LOST'])[1 + c.h3 % 6], c.id, NULL,
       c.ts + interval '1 day', c.ts + interval '1 day'
FROM cid c WHERE c.h1 % 2 = 0;
DROP TABLE g, words, cid, lid;
DROP FUNCTION pg_temp.ulid(timestamptz, text);
