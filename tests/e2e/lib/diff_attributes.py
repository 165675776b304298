#!/usr/bin/env python3
"""The (kind, attribute) pairs squash_diff can name, read from the catalog readers' source.

Each reader adds an object with ctx.add("kind", ...) and gives it attributes with
o.set("key", ...) and ctx.attach_common(o, class, oid, owner, objtype, acl) (comment and
security labels always, "owner" unless the owner argument is 0, "acl" unless objtype is
'\\0'). Keys that are not literals in the reader are declared in DYNAMIC below, per file;
a reader with an undeclared one is an error, so a new attribute cannot slip past the list.
Families of keys (one per domain constraint, per publication table, ...) end in " *".

Prints "kind|attribute" lines, sorted, then "kind|(added)" and "kind|(removed)" for each kind.
Usage: diff_attributes.py EXTENSION_SRC_CATALOG_DIR
"""
import os
import re
import sys

# Keys a reader sets through a variable, per file: (kinds, keys).
DYNAMIC = {
    "read_opclasses.cpp": [(["operator class", "operator family"], ["operator *", "function *"])],
    "read_text_search.cpp": [(["text search configuration"], ["mapping *"])],
    "read_types.cpp": [
        (["base type"], ["input", "output", "receive", "send", "typmod_in", "typmod_out",
                         "analyze", "subscript"]),  # kBaseProcs
        (["range type"], ["subtype", "subtype_opclass", "collation", "canonical", "subtype_diff",
                          "multirange_type_name"]),
        (["domain"], ["constraint *"]),
    ],
    "read_views.cpp": [(["view"], ["check_option", "security_barrier", "security_invoker"])],
}
# Helpers that set attributes on the object they are given: name -> keys.
HELPERS = {"set_options": ["options", "secret_options"]}
LABELS = "security label *"

TOKEN = re.compile(
    r'ctx\.add\((?P<add>[^,]*),'
    r'|\.set\((?P<set>[^,]*),'
    r'|attach_common\((?P<common>[^;]*)\);'
    r'|(?P<labels>attach_labels|attach_column_labels)\((?!ObjectRef)'
    r'|(?P<helper>' + "|".join(HELPERS) + r')\(o\b', re.S)
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def args(text):
    """Top-level comma-separated arguments of a call's argument text."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return out


def pairs_of(path):
    name = os.path.basename(path)
    text = open(path, encoding="utf-8").read()
    text = re.sub(r'//[^\n]*', '', text)
    pairs, kinds, dynamic_seen = set(), [], False
    for m in TOKEN.finditer(text):
        if m.group("add") is not None:
            kinds = LITERAL.findall(m.group("add"))
            if not kinds:
                sys.exit(f"{name}: ctx.add with no literal kind: {m.group(0)}")
            for k in kinds:
                pairs.add((k, "(added)"))
                pairs.add((k, "(removed)"))
        elif m.group("set") is not None:
            key = m.group("set").strip()
            lit = re.fullmatch(r'"((?:[^"\\]|\\.)*)"(\s*\+.*)?', key, re.S)
            if not lit:
                dynamic_seen = True
                continue
            key = lit.group(1).strip() + (" *" if lit.group(2) else "")
            if name == "catalog_reader.cpp":  # attach_common's own body
                continue
            pairs.update((k, key) for k in kinds)
        elif m.group("common") is not None:
            a = args(m.group("common"))
            if a[0].startswith("ObjectRef"):  # the definition
                continue
            keys = ["comment", LABELS]
            if a[3] != "0":
                keys.append("owner")
            if a[4] != "'\\0'":
                keys.append("acl")
            pairs.update((k, key) for k in kinds for key in keys)
        elif m.group("labels") is not None:
            pairs.update((k, LABELS) for k in kinds)
        elif m.group("helper") is not None:
            pairs.update((k, key) for k in kinds for key in HELPERS[m.group("helper")])
    if dynamic_seen and name not in DYNAMIC:
        sys.exit(f"{name}: an attribute key that is not a literal; declare it in DYNAMIC")
    for kinds_, keys in DYNAMIC.get(name, []):
        pairs.update((k, key) for k in kinds_ for key in keys)
    return pairs


def main():
    src = sys.argv[1]
    pairs = set()
    for f in sorted(os.listdir(src)):
        if f.endswith(".cpp"):
            pairs |= pairs_of(os.path.join(src, f))
    for k, a in sorted(pairs):
        print(f"{k}|{a}")


if __name__ == "__main__":
    main()
