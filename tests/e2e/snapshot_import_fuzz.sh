#!/usr/bin/env bash
# squash_snapshot_import against thousands of mutated documents: a real export of the
# sample app, truncated, byte-flipped, and structurally broken (fields deleted or of the
# wrong type, objects duplicated, null where objects belong, 1 MB strings, 10,000 levels
# of nesting, unknown versions, wrong fingerprints, ...). The server never goes down;
# every document is either imported with the fingerprint its content hashes to, or
# rejected with a pg_squash error (22023) -- or, before it reaches pg_squash, by the jsonb
# cast (22P02 / 22P05); and every snapshot left in squash.snapshot_store is valid.
# Documents are generated with /usr/bin/python3 (standard library, fixed seed) and run in
# plpgsql DO blocks of 100, one subtransaction per document.
source "$(dirname "$0")/lib/tap.bash"

is_text() {  # is_text GOT EXPECTED DESCRIPTION: like is, for multi-line text (diff as comments)
  if [ "$1" = "$2" ]; then ok 0 "$3"; return; fi
  ok 1 "$3"
  diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed 's/^/#   /; s/^#   </#   expected:/; s/^#   >/#   got:     /'
}
work=$(mktemp -d /tmp/e2e_fuzz.XXXXXX)
chmod 755 "$work"
trap 'drop_test_databases; rm -rf "$work"' EXIT
app=$SQUASH_SRC/tests/fixtures/alembic_app
db=e2e_fuzz
count=${FUZZ_DOCUMENTS:-3200}
seed=${FUZZ_SEED:-20241104}

make_alembic_project "$work/chain" "$app/versions"
new_database "$db"
alembic_in "$work/chain" "$db" upgrade head >"$work/chain.log" 2>&1
ok $? "the sample app built by its revision chain"
q -d "$db" -f "$app/sample_data.sql" >/dev/null && q -d "$db" -c "CREATE EXTENSION pg_squash" >/dev/null
fp_base=$(q -d "$db" -c "SELECT squash_snapshot('fuzz_base')")
q -d "$db" -c "SELECT squash_snapshot_export('fuzz_base')" >"$work/base.json"
ok $? "a real snapshot exported ($(wc -c <"$work/base.json") bytes)"

# ---- the mutated documents ----------------------------------------------------------------
cat >"$work/gen.py" <<'PY'
import hashlib, json, random, struct, sys

base_path, out_path, meta_path, count, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
base_text = open(base_path, encoding="utf-8").read().strip()
rng = random.Random(seed)
MB = 1 << 20
DEEP = 10000


def fingerprint(doc):
    """The fingerprint pg_squash computes (model/fingerprint.hpp), or None when the
    objects are not all well-formed {kind, identity, attrs{str: str}} or repeat."""
    try:
        items = []
        for o in doc["objects"]:
            if not isinstance(o, dict) or set(o) != {"kind", "identity", "attrs"}:
                return None
            k, i, a = o["kind"], o["identity"], o["attrs"]
            if not (isinstance(k, str) and isinstance(i, str) and isinstance(a, dict)):
                return None
            if not all(isinstance(v, str) for v in a.values()):
                return None
            items.append((k.encode(), i.encode(),
                          sorted((kk.encode(), vv.encode()) for kk, vv in a.items())))
    except (KeyError, TypeError, UnicodeEncodeError):
        return None
    items.sort(key=lambda t: (t[0], t[1]))
    if any(items[n][:2] == items[n + 1][:2] for n in range(len(items) - 1)):
        return None
    h = hashlib.sha256(b"pg_squash fingerprint 1\n")
    u64 = lambda n: struct.pack(">Q", n)
    s = lambda b: u64(len(b)) + b
    h.update(u64(len(items)))
    for k, i, attrs in items:
        h.update(s(k) + s(i) + u64(len(attrs)))
        for kk, vv in attrs:
            h.update(s(kk) + s(vv))
    return h.hexdigest()


def fix(doc):
    """Make count and fingerprint agree with the objects (so the document gets past them)."""
    if isinstance(doc, dict) and isinstance(doc.get("objects"), list):
        doc["object_count"] = len(doc["objects"])
        f = fingerprint(doc)
        if f:
            doc["fingerprint"] = f
    return doc


def dump(doc):
    try:
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # lone surrogates: keep them as \u escapes
        return json.dumps(doc, ensure_ascii=True, separators=(",", ":"))


def fresh():
    return json.loads(base_text)


base = fresh()
py_fp_ok = fingerprint(base) == base["fingerprint"]
docs = []  # (class, text or None, must_accept)


def add(cls, doc, must_accept=False):
    docs.append((cls, doc if doc is None or isinstance(doc, str) else dump(doc), must_accept))


def deep(n=DEEP):
    return "[" * n + "]" * n


def splice(doc, marker, raw):
    """A document whose value "marker" is replaced by raw JSON text."""
    return dump(doc).replace(json.dumps(marker), raw, 1)


# -- the real document, untouched and reordered
add("control", base_text, True)
d = fresh(); rng.shuffle(d["objects"]); add("control", d, True)
d = fresh(); d["objects"].reverse(); add("control", d, True)
add("control", json.dumps(base, indent=2, ensure_ascii=False), True)

# -- hand-made structural cases
WRONG = [None, 0, -1, 1.5, True, False, [], {}, [1, 2], {"a": "b"}, "", "x", 2 ** 70, -(2 ** 70)]
for raw in ["null", "[]", '""', "0", "true", "{}", "[{}]", "[" + base_text + "]",
            base_text + base_text, base_text + "x", "x" + base_text, "\ufeff" + base_text,
            "", "   ", "{", "}", '{"format":', "nul", '{"a":1,}', "NaN", "Infinity", "-0", "1e999"]:
    add("special", raw)
add("special", None)  # SQL NULL
top = ["format", "version", "server_version", "fingerprint", "object_count", "objects"]
for f in top:
    d = fresh(); del d[f]; add("special", d)
    for w in WRONG:
        d = fresh(); d[f] = w; add("special", d)
        d = fresh(); d[f] = w; add("special", fix(d))
for v in [0, 2, 3, 999, -1, 1.0, 1.5, "1", "v1", 1e30, 2 ** 62, 2 ** 63, 2 ** 64, 2 ** 200]:
    d = fresh(); d["version"] = v; add("special", d)
for v in ["pg_squash.snapshotx", "PG_SQUASH.SNAPSHOT", "pg_squash", "pg_squash.snapshot ", "x" * MB]:
    d = fresh(); d["format"] = v; add("special", d)
fp0 = base["fingerprint"]
for v in [fp0[:-1] + ("0" if fp0[-1] != "0" else "1"), fp0.upper(), fp0[:63], fp0 + "0",
          "g" * 64, "0" * 64, " " + fp0[1:], fp0 * 2, "f" * MB]:
    d = fresh(); d["fingerprint"] = v; add("special", d)
for v in [base["object_count"] + 1, base["object_count"] - 1, 0, -1, 2 ** 62, 2 ** 63, 2 ** 64,
          float(base["object_count"]), str(base["object_count"])]:
    d = fresh(); d["object_count"] = v; add("special", d)
for v in ["", "x" * MB, "15.20\n(evil)", "\u0001"]:
    d = fresh(); d["server_version"] = v; add("special", fix(d))
for objs in [[], [None], [[]], ["x"], [1], [{}], [{"kind": "table"}], [{"kind": None, "identity": None, "attrs": None}]]:
    d = fresh(); d["objects"] = objs; add("special", d); d = fresh(); d["objects"] = objs; add("special", fix(d))
d = fresh(); d["objects"] = []; add("special", fix(d), True)  # an empty schema is a valid snapshot
# huge strings (1 MB), count and fingerprint made to agree
for where in ["value", "key", "identity", "kind"]:
    d = fresh(); o = d["objects"][rng.randrange(len(d["objects"]))]
    big = "é" * (MB // 2) if where == "value" else "k" * MB
    if where == "value": o["attrs"]["comment"] = big
    elif where == "key": o["attrs"][big] = "v"
    else: o[where] = big
    add("huge", fix(d)); add("huge", dump(d).replace(d["fingerprint"], fp0))  # and with a stale fingerprint
d = fresh(); d["unknown_" + "u" * 100] = "z" * MB; add("huge", d)
d = fresh(); d["objects"] += [{"kind": "column", "identity": "public.t%d.c" % n,
                               "attrs": {"type": "integer", "not_null": "false"}} for n in range(20000)]
add("huge", fix(d))
# deep nesting: 10,000 levels of arrays (and of objects) in an attr value and elsewhere
for n, place in enumerate(["attr", "attr_obj", "object", "top", "objects", "kind", "whole"]):
    d = fresh(); marker = "@@DEEP%d@@" % n
    raw = deep() if place != "attr_obj" else '{"a":' * DEEP + "1" + "}" * DEEP
    if place in ("attr", "attr_obj"): d["objects"][0]["attrs"]["comment"] = marker
    elif place == "object": d["objects"][1] = marker
    elif place == "top": d["nested"] = marker
    elif place == "objects": d["objects"] = marker
    elif place == "kind": d["objects"][2]["kind"] = marker
    text = deep() if place == "whole" else splice(fix(d), marker, raw)
    add("deep", text)
# characters: NUL (jsonb refuses \u0000), lone surrogates, control characters, non-BMP
for ch in ["\u0000", "\ud800", "\udfff", "\u0001", "\u001f", "\u007f", "\n", "\t", "\r",
           "\u2028", "\u202e", "\U0001F600", "\ufffd", "\\", '"']:
    for field in ["identity", "kind", "value", "key"]:
        d = fresh(); o = d["objects"][rng.randrange(len(d["objects"]))]
        if field == "value": o["attrs"]["comment"] = "a" + ch + "b"
        elif field == "key": o["attrs"]["k" + ch] = "v"
        else: o[field] = o[field] + ch
        add("chars", fix(d))
# duplicate keys (jsonb keeps the last), duplicate objects
add("special", base_text.replace('"format":', '"format":"x","format":', 1))
add("special", base_text.replace('"identity":', '"identity":"a","identity":', 1))
d = fresh(); d["objects"].append(dict(d["objects"][5])); add("special", d); add("special", fix(d))
d = fresh(); d["objects"] = d["objects"] + d["objects"]; add("special", fix(d))


# -- random truncations, flips and structural mutations
def truncate():
    return base_text[: rng.randrange(len(base_text))]


POOL = '{}[]":,\\ 0123456789-.eEtrufalsn' + "abcxyzXYZ_/'()é中😀\u00a0"


def flip():
    chars = list(base_text)
    for _ in range(rng.choice([1, 1, 1, 2, 3, 5, 8])):
        chars[rng.randrange(len(chars))] = rng.choice(POOL)
    return "".join(chars)


def rand_text():
    return "".join(rng.choice("abc_.XYZ é中\"'\\") for _ in range(rng.randrange(0, 12)))


def mutate(d):
    objs = d.get("objects") if isinstance(d.get("objects"), list) else []
    r = rng.randrange(len(objs)) if objs else 0
    o = objs[r] if objs and isinstance(objs[r], dict) else {}
    op = rng.randrange(20)
    if op == 0 and o: del o[rng.choice(["kind", "identity", "attrs"])]
    elif op == 1 and o: o[rng.choice(["kind", "identity", "attrs"])] = rng.choice(WRONG)
    elif op == 2 and o and isinstance(o.get("attrs"), dict) and o["attrs"]:
        o["attrs"][rng.choice(list(o["attrs"]))] = rng.choice(WRONG[:-4] + [json.loads(deep(rng.randrange(1, 30)))])
    elif op == 3 and o and isinstance(o.get("attrs"), dict): o["attrs"][rand_text()] = rand_text()
    elif op == 4 and o and isinstance(o.get("attrs"), dict) and o["attrs"]: del o["attrs"][rng.choice(list(o["attrs"]))]
    elif op == 5 and o: o["attrs"] = rng.choice([{}, [], None, "attrs"])
    elif op == 6 and o: o[rng.choice(["extra", "Kind", "", "attrs2"])] = rand_text()
    elif op == 7 and o: objs.insert(rng.randrange(len(objs) + 1), json.loads(json.dumps(o)))
    elif op == 8 and objs: objs.pop(r)
    elif op == 9 and objs: objs[r] = rng.choice(WRONG)
    elif op == 10 and o: o["kind"] = rand_text()
    elif op == 11 and o: o["identity"] = rand_text()
    elif op == 12: d[rng.choice(top)] = rng.choice(WRONG)
    elif op == 13: d.pop(rng.choice(top), None)
    elif op == 14: rng.shuffle(objs)
    elif op == 15 and o and len(objs) > 1 and isinstance(objs[(r + 7) % len(objs)], dict):
        s = objs[(r + 7) % len(objs)]; o["identity"], s["identity"] = s.get("identity"), o.get("identity")
    elif op == 16: d[rand_text() or "x"] = rng.choice(WRONG + [rand_text()])
    elif op == 17 and o and isinstance(o.get("attrs"), dict) and o["attrs"]:
        k = rng.choice(list(o["attrs"])); o["attrs"][k] = str(o["attrs"][k]) + rand_text()
    elif op == 18 and o and len(objs) > 1 and isinstance(objs[(r + 1) % len(objs)], dict):
        o["identity"] = objs[(r + 1) % len(objs)].get("identity")
    elif op == 19: d["version"] = rng.choice([0, 2, -1, "1", None, 1.0])
    return op


special = len(docs)
n_trunc = (count - special) * 15 // 100
n_flip = (count - special) * 20 // 100
for _ in range(n_trunc):
    add("truncate", truncate())
for _ in range(n_flip):
    add("flip", flip())
while len(docs) < count:
    d = fresh()
    ops = {mutate(d) for _ in range(rng.choice([1, 1, 1, 2, 3]))}
    fixed = rng.random() < 0.6
    if fixed:
        fix(d)
    # Reordering or dropping objects, with count and fingerprint fixed, leaves a valid snapshot.
    add("struct_fixed" if fixed else "struct", d, fixed and ops <= {8, 14})

with open(out_path, "w", encoding="utf-8") as out:
    for n, (cls, text, must) in enumerate(docs):
        if text is None:
            doc_field = fp_field = "\\N"
        else:
            try:
                f = fingerprint(json.loads(text)) if py_fp_ok else None
            except (ValueError, RecursionError):
                f = None
            fp_field = f or "\\N"
            doc_field = (text.replace("\\", "\\\\").replace("\n", "\\n")
                         .replace("\r", "\\r").replace("\t", "\\t"))
        out.write("%d\t%s\t%s\t%s\t%s\n" % (n, cls, doc_field, fp_field, "t" if must else "f"))
json.dump({"py_fp_ok": py_fp_ok, "documents": len(docs), "special": special}, open(meta_path, "w"))
PY
start=$(date +%s)
/usr/bin/python3 "$work/gen.py" "$work/base.json" "$work/docs.tsv" "$work/meta.json" "$count" "$seed" 2>"$work/gen.err"
status=$?
ok $status "mutated documents generated (seed $seed, $(( $(date +%s) - start )) s)"
if [ $status -ne 0 ]; then sed 's/^/#   /' "$work/gen.err" | tail -8; done_testing; exit 1; fi
meta() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/meta.json" "$1"; }
ndocs=$(meta documents)
ok $((ndocs >= 3000 ? 0 : 1)) "at least 3000 documents ($ndocs)"
is "$(meta py_fp_ok)" "True" "the generator's fingerprint agrees with pg_squash's on the real export"

# ---- run them all in one session --------------------------------------------------------
{
  echo "SELECT 'before', pg_backend_pid(), pg_postmaster_start_time();"
  echo "SET client_min_messages = warning; CREATE SCHEMA fuzz;"  # dropped before the last check
  echo "CREATE TABLE fuzz.docs (id int PRIMARY KEY, class text, doc text, py_fp text, must_accept bool);"
  echo "\\copy fuzz.docs FROM '$work/docs.tsv'"
  echo "CREATE TABLE fuzz.results (id int PRIMARY KEY, phase text, sqlstate text, message text, fp text);"
  for ((lo = 0; lo < ndocs; lo += 100)); do
    cat <<SQL
DO \$\$
DECLARE r record; j jsonb; f text; st text; msg text;
BEGIN
  FOR r IN SELECT id, doc FROM fuzz.docs WHERE id BETWEEN $lo AND $((lo + 99)) ORDER BY id LOOP
    BEGIN
      j := r.doc::jsonb;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
      INSERT INTO fuzz.results VALUES (r.id, 'cast', st, left(msg, 400), NULL);
      CONTINUE;
    END;
    BEGIN
      f := squash_snapshot_import(j, 'fz_' || r.id);
      INSERT INTO fuzz.results VALUES (r.id, 'imported', NULL, NULL, f);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
      INSERT INTO fuzz.results VALUES (r.id, 'rejected', st, left(msg, 400), NULL);
    END;
  END LOOP;
END \$\$;
SQL
  done
  echo "SELECT 'after', pg_backend_pid(), pg_postmaster_start_time();"
} >"$work/run.sql"
start=$(date +%s)
psql -X -At -q -d "$db" -f "$work/run.sql" >"$work/run.out" 2>"$work/run.err"
status=$?
diag "ran $ndocs imports in $(( $(date +%s) - start )) s"
before=$(grep '^before|' "$work/run.out")
after=$(grep '^after|' "$work/run.out")
ok $([ $status -eq 0 ] && [ -n "$after" ] && echo 0 || echo 1) "the session survived every document"
[ $status -eq 0 ] || { sed 's/^/#   /' "$work/run.err" | tail -5; last=$(q -d "$db" -c "SELECT max(id) FROM fuzz.results" 2>/dev/null); diag "last document done: ${last:-none}"; }
is "${after#after|}" "${before#before|}" "(a) same backend, same postmaster start time: the server never restarted"
is "$(q -d "$db" -c "SELECT pg_postmaster_start_time()")" "${before##*|}" "and a new connection sees the same postmaster"

# ---- (b) every document imported consistently or refused clearly ------------------------
r() { q -d "$db" -c "$1"; }
is "$(r "SELECT count(*) FROM fuzz.results")" "$ndocs" "every document has an outcome"
diag "outcomes (class: imported / rejected by pg_squash / refused by the jsonb cast):"
while read -r line; do diag "  $line"; done < <(r "SELECT rpad(d.class, 13) || to_char(count(*), '9999') || ' docs: '
    || count(*) FILTER (WHERE phase = 'imported') || ' / ' || count(*) FILTER (WHERE phase = 'rejected')
    || ' / ' || count(*) FILTER (WHERE phase = 'cast')
  FROM fuzz.docs d JOIN fuzz.results r USING (id) GROUP BY d.class ORDER BY d.class")
diag "SQLSTATEs: $(r "SELECT string_agg(s, ', ') FROM (SELECT phase || ' ' || coalesce(sqlstate, '-') || ': ' || count(*) AS s
  FROM fuzz.results GROUP BY phase, sqlstate ORDER BY phase, sqlstate) x")"
diag "most frequent rejections:"
while read -r line; do diag "  $line"; done < <(r "SELECT to_char(count(*), '9999') || '  ' || m FROM (
    SELECT left(regexp_replace(regexp_replace(message, '[0-9a-f]{64}', 'H', 'g'), '[0-9]+', 'N', 'g'), 110) AS m
      FROM fuzz.results WHERE phase = 'rejected') x
  GROUP BY m ORDER BY count(*) DESC, m LIMIT 15")

bad_cast=$(r "SELECT string_agg(id || ' ' || sqlstate || ' ' || left(message, 100), E'\n') FROM fuzz.results
  WHERE phase = 'cast' AND sqlstate NOT IN ('22P02', '22P05')")
is_text "$bad_cast" "" "every document the jsonb cast refused failed with 22P02 / 22P05"
bad_reject=$(r "SELECT string_agg(r.id || ' ' || r.sqlstate || ' ' || left(r.message, 150), E'\n')
  FROM fuzz.results r JOIN fuzz.docs d USING (id)
  WHERE r.phase = 'rejected'
    AND NOT (r.sqlstate = '22023' AND r.message LIKE 'pg_squash: invalid snapshot document: %')
    AND NOT (d.doc IS NULL AND r.sqlstate = '22004' AND r.message LIKE 'pg_squash: %')")
is_text "$bad_reject" "" "every rejection is a pg_squash 'invalid snapshot document' error (22023; SQL NULL: 22004)"
bad_import=$(r "SELECT string_agg(r.id || ' ' || d.class || ' returned ' || r.fp || ' stored ' || coalesce(s.fingerprint, 'none')
    || ' document says ' || coalesce(d.doc::jsonb->>'fingerprint', 'none') || ' content hashes to ' || coalesce(d.py_fp, '?'), E'\n')
  FROM fuzz.results r JOIN fuzz.docs d USING (id) LEFT JOIN squash.snapshots s ON s.label = 'fz_' || r.id
  WHERE r.phase = 'imported'
    AND (s.fingerprint IS DISTINCT FROM r.fp OR r.fp IS DISTINCT FROM d.doc::jsonb->>'fingerprint'
         OR (d.py_fp IS NOT NULL AND d.py_fp <> r.fp))")
is_text "$bad_import" "" "every imported document kept the fingerprint its content hashes to (stored = returned = document's = recomputed)"
unhashable=$(r "SELECT string_agg(r.id || ' ' || d.class || ': ' || left(d.doc, 80), E'\n')
  FROM fuzz.results r JOIN fuzz.docs d USING (id) WHERE r.phase = 'imported' AND d.py_fp IS NULL")
is_text "$unhashable" "" "nothing was imported that is not a well-formed list of distinct objects"
refused_valid=$(r "SELECT string_agg(r.id || ' ' || d.class || ': ' || coalesce(r.message, ''), E'\n')
  FROM fuzz.results r JOIN fuzz.docs d USING (id) WHERE d.must_accept AND r.phase <> 'imported'")
is_text "$refused_valid" "" "every valid document (reordered, objects dropped, count and fingerprint fixed) was imported ($(r "SELECT count(*) FROM fuzz.docs WHERE must_accept"))"
reached=$(r "SELECT count(*) FILTER (WHERE phase <> 'cast') * 100 / count(*) FROM fuzz.results")
ok $((reached >= 60 ? 0 : 1)) "most documents reached pg_squash's parser ($reached % past the jsonb cast)"
is "$(r "SELECT fp FROM fuzz.results WHERE id = 0")" "$fp_base" "the untouched export re-imports with its fingerprint"

# ---- (c) only valid snapshots in the store ------------------------------------------------
imported=$(r "SELECT count(*) FROM fuzz.results WHERE phase = 'imported'")
is "$(r "SELECT count(*) FROM squash.snapshots WHERE label LIKE 'fz\_%'")" "$imported" \
  "the store holds exactly the $imported imported snapshots"
invalid=$(q -q -d "$db" <<'SQL'
CREATE TEMP TABLE store_check (label text, problem text);
DO $$
DECLARE s record; doc jsonb;
BEGIN
  FOR s IN SELECT label, fingerprint, object_count FROM squash.snapshots ORDER BY label LOOP
    BEGIN
      doc := squash_snapshot_export(s.label);
      IF doc->>'fingerprint' IS DISTINCT FROM s.fingerprint
         OR (doc->>'object_count')::bigint IS DISTINCT FROM s.object_count::bigint
         OR jsonb_array_length(doc->'objects') IS DISTINCT FROM s.object_count THEN
        INSERT INTO store_check VALUES (s.label, 'export says ' || coalesce(doc->>'fingerprint', 'null'));
      END IF;
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO store_check VALUES (s.label, SQLSTATE || ' ' || SQLERRM);
    END;
  END LOOP;
END $$;
SELECT string_agg(label || ': ' || problem, E'\n') FROM store_check;
SQL
)
is_text "$invalid" "" "(c) every stored snapshot exports, with its recorded fingerprint and object count"
roundtrip=$(q -q -d "$db" <<'SQL'
SELECT count(*) FROM (
  SELECT label, fingerprint FROM squash.snapshots WHERE label LIKE 'fz\_%' ORDER BY label LIMIT 200) s
 WHERE squash_snapshot_import(squash_snapshot_export(s.label), 'rt_' || s.label) <> s.fingerprint;
SQL
)
is "$roundtrip" "0" "and re-imports with the same fingerprint (200 of them)"
diffs=$(q -q -d "$db" <<'SQL'
CREATE TEMP TABLE diff_check (label text, problem text);
DO $$
DECLARE s record; n bigint; base text := (SELECT fingerprint FROM squash.snapshots WHERE label = 'fuzz_base');
BEGIN
  FOR s IN SELECT label, fingerprint FROM squash.snapshots WHERE label LIKE 'fz\_%' ORDER BY label LOOP
    BEGIN
      SELECT count(*) INTO n FROM squash_diff(s.label, 'fuzz_base');
      IF (n = 0) <> (s.fingerprint = base) THEN
        INSERT INTO diff_check VALUES (s.label, n || ' rows, fingerprint ' || s.fingerprint);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO diff_check VALUES (s.label, SQLSTATE || ' ' || left(SQLERRM, 200));
    END;
  END LOOP;
END $$;
SELECT string_agg(label || ': ' || problem, E'\n') FROM diff_check;
SQL
)
is_text "$diffs" "" "squash_diff works on every stored snapshot: no row exactly when its fingerprint is the real one's"
r "SET client_min_messages = warning; DROP SCHEMA fuzz CASCADE" >/dev/null
ok $([ "$(r "SELECT squash_fingerprint()")" = "$fp_base" ] && echo 0 || echo 1) \
  "the live schema's fingerprint is unchanged by all of it"

done_testing
