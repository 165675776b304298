#!/usr/bin/env python3
"""Folder-level include graph of a source tree, and its cycles.

  include_graph.py ROOT [ROOT...] [-I DIR...]

Every file below the roots belongs to the folder it sits in, relative to its root (with
roots extension/src and extension/include/pg_squash, src/model and include/pg_squash/model
are the same folder "model"). A quoted #include that resolves to a file below a root
(against the including file's folder, then each -I directory, then each root) is an edge
between two folders. Prints the edges, then every cycle, and exits 1 when there is one.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(path, roots):
    for root in roots:
        rel = os.path.relpath(path, root)
        if not rel.startswith('..'):
            d = os.path.dirname(rel)
            return d if d else '.'
    return None


def main(argv):
    roots, search = [], []
    args = iter(argv)
    for a in args:
        if a == '-I':
            search.append(os.path.abspath(next(args)))
        else:
            roots.append(os.path.abspath(a))
    bases = roots
    files = []
    for base in roots:
        for d, _, names in os.walk(base):
            files += [os.path.join(d, n) for n in names if n.endswith(('.cpp', '.hpp', '.h'))]
    edges = {}
    for f in sorted(set(files)):
        src = folder_of(f, bases)
        with open(f, encoding='utf-8', errors='replace') as fh:
            text = fh.read()
        for inc in INCLUDE.findall(text):
            for base in [os.path.dirname(f)] + search + roots:
                target = os.path.normpath(os.path.join(base, inc))
                if os.path.isfile(target):
                    dst = folder_of(target, bases)
                    if dst is not None and dst != src:
                        edges.setdefault(src, set()).add(dst)
                    break
    for src in sorted(edges):
        print(f'{src} -> {", ".join(sorted(edges[src]))}')
    # Tarjan's strongly connected components: any with more than one folder is a cycle.
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
    nodes = sorted(set(edges) | {d for v in edges.values() for d in v})

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            visit(v)
    for comp in sccs:
        print('cycle: ' + ' <-> '.join(comp))
    return 1 if sccs else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
