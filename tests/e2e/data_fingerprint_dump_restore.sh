#!/usr/bin/env bash
# Data fingerprints survive a real pg_dump -Fc | pg_restore: database A holds sample data
# in every supported type (TOASTed values, dropped columns, partitions, arrays of enums and
# composites, reg* values ...), B is restored from A's dump. Every OID differs, B's
# session settings differ, and still every table's fingerprint is equal; one changed value
# in B changes exactly that table's fingerprint.
source "$(dirname "$0")/lib/tap.bash"
work=$(mktemp -d /tmp/e2e_datafp.XXXXXX)
chmod 755 "$work"
trap 'drop_test_databases; rm -rf "$work"' EXIT
a=e2e_datafp_a
b=e2e_datafp_b

new_database $a
ok $? "database A created"
new_database $b
ok $? "database B created"
# Objects created in B first push B's OIDs away from A's.
q -d $b -c "CREATE TYPE public.zz_filler AS ENUM ('x'); CREATE TABLE public.zz_gone (x int); DROP TABLE public.zz_gone" >/dev/null

q -d $a >"$work/fixture.log" 2>&1 <<'SQL'
CREATE EXTENSION pg_squash;
CREATE SCHEMA app;
CREATE SCHEMA "Odd Schema";
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE app.pair AS (name text, mood app.mood, at timestamptz, tags text[]);
CREATE DOMAIN app.posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN app.email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN app.pair_d AS app.pair;
CREATE FUNCTION app.touch() RETURNS void LANGUAGE sql AS 'SELECT';

CREATE TABLE app.everything (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dropped_early text,
  i2 smallint, i4 integer, i8 bigint, n numeric, n2 numeric(12, 2), f4 real, f8 double precision,
  tx text, vc varchar(32), ch char(5), "select" text, jb jsonb, js json,
  ia integer[], ta text[], na numeric[], ja jsonb[], ts timestamp, tz timestamptz, d date,
  t time, ttz timetz, iv interval, b bytea, u uuid, bo boolean, m app.mood, ma app.mood[],
  p app.pair, pa app.pair[], pd app.pair_d, di app.posint, de app.email, dia app.posint[],
  ir int4range, tr tstzrange, mr int4multirange, rc regclass, rt regtype, rp regprocedure,
  inet_ inet, cidr_ cidr, mac macaddr, bits bit varying(16), money_ money, tsv tsvector,
  x xml, pt point, oid_ oid
);
ALTER TABLE app.everything DROP COLUMN dropped_early;
INSERT INTO app.everything (i2, i4, i8, n, n2, f4, f8, tx, vc, ch, "select", jb, js, ia, ta, na,
  ja, ts, tz, d, t, ttz, iv, b, u, bo, m, ma, p, pa, pd, di, de, dia, ir, tr, mr, rc, rt, rp,
  inet_, cidr_, mac, bits, money_, tsv, x, pt, oid_)
SELECT g::smallint, g, g::bigint * 1000000007, g / 7.0, g * 1.25, g / 3.0, g / 3.0,
       'text ' || g, 'v' || g, 'c' || (g % 10), 'kw', jsonb_build_object('g', g, 'a', jsonb_build_array(g, 'x', null)),
       ('{"g": ' || g || ' ,  "spaces": true}')::json, ARRAY[g, NULL, g + 1], ARRAY['a' || g, NULL, ''],
       ARRAY[g / 3.0, 1.50], ARRAY[jsonb_build_object('k', g)],
       timestamp '2024-01-01' + g * interval '1 hour 1 microsecond',
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',
       date '2000-01-01' + g, time '00:00' + g * interval '1 second', timetz '12:00+02',
       g * interval '1 day 1 second', decode(md5(g::text), 'hex'), md5(g::text)::uuid, g % 2 = 0,
       (ARRAY['sad', 'ok', 'happy']::app.mood[])[g % 3 + 1], ARRAY['happy', 'sad']::app.mood[],
       ROW('n' || g, 'ok', timestamptz '2024-05-06 07:08:09+00' + g * interval '1 second', ARRAY['t', NULL])::app.pair,
       ARRAY[ROW('q', 'sad', NULL, '{}')::app.pair, NULL],
       ROW('d', 'happy', NULL, NULL)::app.pair, g, 'u' || g || '@example.org', ARRAY[g, g + 1],
       int4range(g, g + 10), tstzrange(timestamptz '2024-01-01', timestamptz '2024-01-01' + g * interval '1 day'),
       int4multirange(int4range(1, 3), int4range(g + 5, g + 9)), 'app.everything', 'app.pair', 'app.touch()',
       ('10.0.' || (g % 256) || '.1')::inet, '10.1.0.0/16', '08:00:2b:01:02:03', B'1011'::varbit, g * 1.01,
       to_tsvector('simple', 'row number ' || g), ('<r g="' || g || '"/>')::xml, point(g, -g), g
  FROM generate_series(1, 2000) g;
-- Special values and NULLs.
INSERT INTO app.everything (f4, f8, n, ts, tz, d, tx, b, ta)
  VALUES ('NaN', '-Infinity', 'NaN', 'infinity', '-infinity', 'infinity', '', '\x', '{}'),
         ('-0', '-0', '-0.000', '0001-01-01 BC', '4713-01-01 00:00:00+00 BC', '0001-01-01', ' ', '\x00', '{NULL}'),
         (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- TOASTed values: compressed (default), uncompressed (EXTERNAL), every varlena kind.
CREATE TABLE app.toasted (id int PRIMARY KEY, compressible text, random_text text, blob bytea,
                          doc jsonb, arr text[], big_pair app.pair);
ALTER TABLE app.toasted ALTER COLUMN random_text SET STORAGE EXTERNAL;
INSERT INTO app.toasted
SELECT k, repeat('abc', 50000 + k),
       (SELECT string_agg(md5((k * 100000 + g)::text), '') FROM generate_series(1, 3000) g),
       (SELECT string_agg(decode(md5((k + g)::text), 'hex'), '') FROM generate_series(1, 5000) g),
       (SELECT jsonb_agg(jsonb_build_object('i', g, 'h', md5(g::text))) FROM generate_series(1, 2000 + k) g),
       (SELECT array_agg(md5(g::text)) FROM generate_series(1, 3000) g),
       ROW(repeat('long', 20000), 'sad', NULL, ARRAY[repeat('x', 10000)])::app.pair
  FROM generate_series(1, 5) k;

-- Partitions (with a dropped column in one leaf only), inheritance, mixed-case names.
CREATE TABLE app.events (at date NOT NULL, kind text, payload jsonb) PARTITION BY RANGE (at);
CREATE TABLE app.events_2023 (at date NOT NULL, gone int, kind text, payload jsonb);
ALTER TABLE app.events_2023 DROP COLUMN gone;
ALTER TABLE app.events ATTACH PARTITION app.events_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO app.events SELECT date '2023-06-01' + g, 'k' || (g % 5), jsonb_build_object('g', g)
  FROM generate_series(1, 400) g;
CREATE TABLE app.parent (id int, note text);
CREATE TABLE app.child (extra int) INHERITS (app.parent);
INSERT INTO app.parent VALUES (1, 'p');
INSERT INTO app.child VALUES (2, 'c', 3);
CREATE TABLE "Odd Schema"."Mixed Case" ("Key" int, "Value" text);
INSERT INTO "Odd Schema"."Mixed Case" VALUES (1, 'one'), (1, 'one'), (2, NULL);
CREATE TABLE app.empty (x int);
CREATE UNLOGGED TABLE app.unlogged (x int);
INSERT INTO app.unlogged VALUES (1);

-- Bookkeeping that is not data.
CREATE TABLE public.alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
INSERT INTO public.alembic_version VALUES ('abc123');
SQL
ok $? "sample data in every type loaded into A (log: $(tail -1 "$work/fixture.log"))"

is "$(q -d $a -c "SELECT count(*) FROM app.toasted WHERE pg_column_size(compressible) < octet_length(compressible)
                  AND pg_column_size(random_text) >= octet_length(random_text)")" "5" \
  "A holds TOASTed values both compressed and uncompressed"

pg_dump -Fc -f "$work/a.dump" $a 2>"$work/dump.log"
ok $? "pg_dump -Fc of A"
pg_restore --exit-on-error -d $b "$work/a.dump" 2>"$work/restore.log"
ok $? "pg_restore into B"
isnt_oid=$(q -d $a -c "SELECT 'app.mood'::regtype::oid <> $(q -d $b -c "SELECT 'app.mood'::regtype::oid")
                       AND 'app.everything'::regclass::oid <> $(q -d $b -c "SELECT 'app.everything'::regclass::oid")")
is "$isnt_oid" "t" "the enum type and the table have other OIDs in B"

# B's sessions format values differently.
q -d postgres -c "ALTER DATABASE $b SET TimeZone = 'Pacific/Chatham'" \
  -c "ALTER DATABASE $b SET DateStyle = 'SQL, DMY'" -c "ALTER DATABASE $b SET IntervalStyle = 'iso_8601'" \
  -c "ALTER DATABASE $b SET extra_float_digits = -3" -c "ALTER DATABASE $b SET bytea_output = 'escape'" \
  -c "ALTER DATABASE $b SET search_path = app, public" >/dev/null

fingerprints() { q -d "$1" -F ' ' -c "SELECT relation, row_count, hash FROM squash_data_fingerprint()"; }
fa=$(fingerprints $a)
fb=$(fingerprints $b)
diag "A:" "${fa//$'\n'/ | }"
is "$(wc -l <<<"$fa")" "9" "A has 9 tables in scope (leaf partitions, inheritance parent and child, no version table)"
like "$fa" '"Odd Schema"."Mixed Case" 3 [0-9a-f]{32}' "names are quoted, counts exact"
is "$fb" "$fa" "every table's fingerprint in B equals A's after dump and restore"
is "$(q -d $b -c "SELECT hash FROM squash_data_fingerprint('{app.toasted}')")" \
  "$(q -d $a -c "SELECT hash FROM squash_data_fingerprint('{app.toasted}')")" "TOASTed values hash alike"
is "$(q -d $b -c "SELECT string_agg(relation, ',') FROM squash_data_fingerprint('{app.events}')")" \
  "app.events_2023,app.events_2024" "a partitioned table stands for its leaves"

# One change in B changes exactly its table.
changed() {  # changed SQL TABLE DESCRIPTION
  local after diffs
  after=$(q -d $b -c "BEGIN" -c "$1" -c "SELECT relation, row_count, hash FROM squash_data_fingerprint()" \
            -c "ROLLBACK" -F ' ' | grep -v -E '^(BEGIN|ROLLBACK|UPDATE|DELETE|INSERT)')
  diffs=$(diff <(echo "$fa") <(echo "$after") | sed -nE 's/^> (.*) [0-9]+ [0-9a-f]{32}$/\1/p' | paste -sd, -)
  is "$diffs" "$2" "$3"
}
changed "UPDATE app.toasted SET random_text = overlay(random_text placing 'x' from 40000 for 1) WHERE id = 3" \
  app.toasted "one byte of a TOASTed value in B changes that table, nothing else"
changed "UPDATE app.everything SET m = 'happy' WHERE id = 7 AND m <> 'happy'" app.everything "an enum value"
changed "UPDATE app.everything SET tx = vc, vc = tx WHERE id = 9" app.everything "two columns swapped within a row"
changed "UPDATE app.everything SET pa[1].mood = 'ok' WHERE id = 11" app.everything "an enum in a composite array"
changed "UPDATE app.everything SET tz = tz + interval '1 microsecond' WHERE id = 13" app.everything \
  "a timestamptz by one microsecond"
changed "DELETE FROM app.events WHERE at = '2023-06-02'" app.events_2023 "a row deleted from a partition"
changed "UPDATE \"Odd Schema\".\"Mixed Case\" SET \"Value\" = '' WHERE \"Value\" IS NULL" \
  '"Odd Schema"."Mixed Case"' "NULL became an empty string"

done_testing
