-- Snapshots of text search parsers, templates, dictionaries and configurations: their
-- functions, template and options, parser, and every token type's mapping (dictionaries
-- in order) are attributes, named by squash_diff old -> new; a change makes the stamp
-- refuse.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(31);

CREATE SCHEMA ts;
CREATE ROLE tap_ts_owner;
CREATE FUNCTION ts.my_start(internal, integer) RETURNS internal LANGUAGE internal STRICT AS 'prsd_start';
CREATE FUNCTION ts.my_gettoken(internal, internal, internal) RETURNS internal LANGUAGE internal STRICT
  AS 'prsd_nexttoken';
CREATE FUNCTION ts.my_end(internal) RETURNS void LANGUAGE internal STRICT AS 'prsd_end';
CREATE FUNCTION ts.my_lextype(internal) RETURNS internal LANGUAGE internal STRICT AS 'prsd_lextype';
CREATE FUNCTION ts.my_lexize(internal, internal, internal, internal) RETURNS internal
  LANGUAGE internal STRICT AS 'dsimple_lexize';
CREATE TEXT SEARCH PARSER ts.prs (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end,
  LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
CREATE TEXT SEARCH PARSER ts.prs2 (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end,
  LEXTYPES = prsd_lextype);
CREATE TEXT SEARCH TEMPLATE ts.tmpl (INIT = dsimple_init, LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH TEMPLATE ts.tmpl2 (LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH TEMPLATE ts.ispell (INIT = dispell_init, LEXIZE = dispell_lexize);
CREATE TEXT SEARCH DICTIONARY ts.simple_d (TEMPLATE = ts.tmpl, STOPWORDS = english);
CREATE TEXT SEARCH DICTIONARY ts.plain (TEMPLATE = pg_catalog.simple);
CREATE TEXT SEARCH DICTIONARY ts.spare (TEMPLATE = ts.tmpl, ACCEPT = false);
CREATE TEXT SEARCH CONFIGURATION ts.cfg (PARSER = ts.prs);
ALTER TEXT SEARCH CONFIGURATION ts.cfg ADD MAPPING FOR asciiword, word WITH ts.simple_d, english_stem;
ALTER TEXT SEARCH CONFIGURATION ts.cfg ADD MAPPING FOR int WITH ts.plain;
CREATE TEXT SEARCH CONFIGURATION ts.eng (COPY = pg_catalog.english);
CREATE TEXT SEARCH CONFIGURATION ts.empty (PARSER = ts.prs2);
SELECT pg_temp.nothing_unmodelled('parsers, templates, dictionaries and configurations: none is unmodelled');

CREATE FUNCTION pg_temp.attrs(e_kind text, e_identity text) RETURNS jsonb LANGUAGE sql AS $f$
  SELECT j->'attrs' FROM jsonb_array_elements(squash_snapshot_export('ts_snap')->'objects') j
  WHERE j->>'kind' = e_kind AND j->>'identity' = e_identity
$f$;
DO $$BEGIN PERFORM squash_snapshot('ts_snap'); END$$;
SELECT is(pg_temp.attrs('text search parser', 'ts.prs'),
  '{"start": "prsd_start(internal,integer)", "gettoken": "prsd_nexttoken(internal,internal,internal)",
    "end": "prsd_end(internal)", "lextypes": "prsd_lextype(internal)",
    "headline": "prsd_headline(internal,internal,tsquery)"}'::jsonb,
  'a parser: its five functions, no owner');
SELECT is(pg_temp.attrs('text search template', 'ts.tmpl2'), '{"lexize": "dsimple_lexize(internal,internal,internal,internal)"}'::jsonb,
  'a template without INIT');
SELECT is(pg_temp.attrs('text search dictionary', 'ts.simple_d'),
  jsonb_build_object('template', 'ts.tmpl', 'options', 'stopwords = ''english''', 'owner', current_user),
  'a dictionary: its template and options');
SELECT is(pg_temp.attrs('text search configuration', 'ts.cfg'),
  jsonb_build_object('parser', 'ts.prs', 'owner', current_user,
    'mapping asciiword', 'ts.simple_d, pg_catalog.english_stem',
    'mapping word', 'ts.simple_d, pg_catalog.english_stem', 'mapping int', 'ts.plain'),
  'a configuration: its parser and each token type''s dictionaries, in order');
SELECT is((SELECT count(*)::int FROM jsonb_object_keys(pg_temp.attrs('text search configuration', 'ts.eng')) k
  WHERE k LIKE 'mapping %'), (SELECT count(DISTINCT maptokentype)::int FROM pg_ts_config_map
  WHERE mapcfg = 'pg_catalog.english'::regconfig), 'a copied configuration has every mapping of its source');
SELECT is((SELECT count(*)::int FROM jsonb_array_elements(squash_snapshot_export('ts_snap')->'objects') j
  WHERE j->>'kind' LIKE 'text search %' AND j->>'identity' NOT LIKE 'ts.%'), 0,
  'no built-in text search object is in the snapshot');

-- Parsers and templates.
SELECT pg_temp.change_is($$DROP TEXT SEARCH PARSER ts.prs2 CASCADE;
    CREATE TEXT SEARCH PARSER ts.prs2 (START = ts.my_start, GETTOKEN = prsd_nexttoken, END = prsd_end,
      LEXTYPES = prsd_lextype);
    CREATE TEXT SEARCH CONFIGURATION ts.empty (PARSER = ts.prs2)$$,
  'text search parser', 'ts.prs2', 'changed',
  'start: prsd_start(internal,integer) → ts.my_start(internal,integer)', 'a parser''s start function');
SELECT pg_temp.change_is($$DROP TEXT SEARCH PARSER ts.prs2 CASCADE;
    CREATE TEXT SEARCH PARSER ts.prs2 (START = ts.my_start, GETTOKEN = prsd_nexttoken, END = prsd_end,
      LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
    CREATE TEXT SEARCH CONFIGURATION ts.empty (PARSER = ts.prs2)$$,
  'text search parser', 'ts.prs2', 'changed',
  'headline: (none) → prsd_headline(internal,internal,tsquery)', 'a parser''s headline function');
SELECT pg_temp.change_is($$DROP TEXT SEARCH PARSER ts.prs2 CASCADE;
    CREATE TEXT SEARCH PARSER ts.prs2 (START = ts.my_start, GETTOKEN = ts.my_gettoken, END = prsd_end,
      LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
    CREATE TEXT SEARCH CONFIGURATION ts.empty (PARSER = ts.prs2)$$,
  'text search parser', 'ts.prs2', 'changed',
  'gettoken: prsd_nexttoken(internal,internal,internal) → ts.my_gettoken(internal,internal,internal)',
  'a parser''s gettoken function');
SELECT pg_temp.change_is($$DROP TEXT SEARCH PARSER ts.prs2 CASCADE;
    CREATE TEXT SEARCH PARSER ts.prs2 (START = ts.my_start, GETTOKEN = ts.my_gettoken, END = ts.my_end,
      LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
    CREATE TEXT SEARCH CONFIGURATION ts.empty (PARSER = ts.prs2)$$,
  'text search parser', 'ts.prs2', 'changed', 'end: prsd_end(internal) → ts.my_end(internal)',
  'a parser''s end function');
SELECT pg_temp.change_is($$DROP TEXT SEARCH PARSER ts.prs2 CASCADE;
    CREATE TEXT SEARCH PARSER ts.prs2 (START = ts.my_start, GETTOKEN = ts.my_gettoken, END = ts.my_end,
      LEXTYPES = ts.my_lextype, HEADLINE = prsd_headline);
    CREATE TEXT SEARCH CONFIGURATION ts.empty (PARSER = ts.prs2)$$,
  'text search parser', 'ts.prs2', 'changed', 'lextypes: prsd_lextype(internal) → ts.my_lextype(internal)',
  'a parser''s lextypes function');
SELECT pg_temp.change_is($$COMMENT ON TEXT SEARCH PARSER ts.prs IS 'default-like'$$,
  'text search parser', 'ts.prs', 'changed', 'comment: (none) → default-like', 'a parser''s comment');
SELECT pg_temp.change_is($$DROP TEXT SEARCH TEMPLATE ts.tmpl2;
    CREATE TEXT SEARCH TEMPLATE ts.tmpl2 (LEXIZE = ts.my_lexize)$$,
  'text search template', 'ts.tmpl2', 'changed',
  'lexize: dsimple_lexize(internal,internal,internal,internal) → ts.my_lexize(internal,internal,internal,internal)',
  'a template''s lexize function');
SELECT pg_temp.change_is($$DROP TEXT SEARCH TEMPLATE ts.tmpl2;
    CREATE TEXT SEARCH TEMPLATE ts.tmpl2 (INIT = dsimple_init, LEXIZE = ts.my_lexize)$$,
  'text search template', 'ts.tmpl2', 'changed', 'init: (none) → dsimple_init(internal)',
  'a template''s init function');
SELECT pg_temp.change_is($$COMMENT ON TEXT SEARCH TEMPLATE ts.tmpl2 IS 't'$$,
  'text search template', 'ts.tmpl2', 'changed', 'comment: (none) → t', 'a template''s comment');

-- Dictionaries.
SELECT pg_temp.change_is('ALTER TEXT SEARCH DICTIONARY ts.simple_d (STOPWORDS = russian)',
  'text search dictionary', 'ts.simple_d', 'changed',
  'options: stopwords = ''english'' → stopwords = ''russian''', 'a dictionary''s option');
SELECT pg_temp.change_is('ALTER TEXT SEARCH DICTIONARY ts.simple_d (ACCEPT = false)',
  'text search dictionary', 'ts.simple_d', 'changed',
  'options: stopwords = ''russian'' → stopwords = ''russian'', accept = ''false''', 'an option added');
SELECT pg_temp.change_is($$DROP TEXT SEARCH DICTIONARY ts.spare;
    CREATE TEXT SEARCH DICTIONARY ts.spare (TEMPLATE = pg_catalog.simple, ACCEPT = false)$$,
  'text search dictionary', 'ts.spare', 'changed', 'template: ts.tmpl → pg_catalog.simple',
  'a dictionary''s template');
SELECT pg_temp.change_is('ALTER TEXT SEARCH DICTIONARY ts.spare OWNER TO tap_ts_owner',
  'text search dictionary', 'ts.spare', 'changed', 'owner: ', 'a dictionary''s owner');
SELECT pg_temp.change_is($$COMMENT ON TEXT SEARCH DICTIONARY ts.spare IS 'd'$$,
  'text search dictionary', 'ts.spare', 'changed', 'comment: (none) → d', 'a dictionary''s comment');

-- Configurations.
SELECT pg_temp.change_is('ALTER TEXT SEARCH CONFIGURATION ts.cfg ALTER MAPPING FOR word WITH english_stem, ts.simple_d',
  'text search configuration', 'ts.cfg', 'changed',
  'mapping word: ts.simple_d, pg_catalog.english_stem → pg_catalog.english_stem, ts.simple_d',
  'the order of a token type''s dictionaries');
SELECT pg_temp.change_is('ALTER TEXT SEARCH CONFIGURATION ts.cfg ALTER MAPPING FOR asciiword WITH ts.plain',
  'text search configuration', 'ts.cfg', 'changed',
  'mapping asciiword: ts.simple_d, pg_catalog.english_stem → ts.plain', 'a token type''s dictionaries');
SELECT pg_temp.change_is('ALTER TEXT SEARCH CONFIGURATION ts.cfg ADD MAPPING FOR numword WITH simple',
  'text search configuration', 'ts.cfg', 'changed', 'mapping numword: (none) → pg_catalog.simple',
  'a token type mapped');
SELECT pg_temp.change_is('ALTER TEXT SEARCH CONFIGURATION ts.cfg DROP MAPPING FOR int',
  'text search configuration', 'ts.cfg', 'changed', 'mapping int: ts.plain → (none)',
  'a mapping dropped');
SELECT pg_temp.change_is('ALTER TEXT SEARCH CONFIGURATION ts.cfg ALTER MAPPING REPLACE ts.plain WITH simple',
  'text search configuration', 'ts.cfg', 'changed', 'mapping asciiword: ts.plain → pg_catalog.simple',
  'a dictionary replaced');
SELECT pg_temp.change_is($$DROP TEXT SEARCH CONFIGURATION ts.empty;
    CREATE TEXT SEARCH CONFIGURATION ts.empty (PARSER = ts.prs)$$,
  'text search configuration', 'ts.empty', 'changed', 'parser: ts.prs2 → ts.prs', 'a configuration''s parser');
SELECT pg_temp.change_is('ALTER TEXT SEARCH CONFIGURATION ts.empty OWNER TO tap_ts_owner',
  'text search configuration', 'ts.empty', 'changed', 'owner: ', 'a configuration''s owner');
SELECT pg_temp.change_is($$COMMENT ON TEXT SEARCH CONFIGURATION ts.cfg IS 'c'$$,
  'text search configuration', 'ts.cfg', 'changed', 'comment: (none) → c', 'a configuration''s comment');

SELECT pg_temp.stamp_refuses('ALTER TEXT SEARCH CONFIGURATION ts.cfg ALTER MAPPING FOR word WITH simple',
  'text search configuration ts.cfg changed: mapping word: ', 'the stamp refuses a changed mapping');
SELECT pg_temp.no_change('SET search_path = ts, public',
  'search_path does not change how text search objects and their references are named');
RESET search_path;

SELECT * FROM finish();
ROLLBACK;
