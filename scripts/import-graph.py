#!/usr/bin/env python3
"""The main code's package graph, from its imports: each package's share of the lines, the imports
between packages, the imports that run back up the layers, and a Mermaid picture of it.

    python3 scripts/import-graph.py [--mermaid] [--top-level]

--top-level counts a subpackage as its parent (duplicates.near as duplicates).

A package is a folder under <module>/src/main/java/io/nagselector/ (duplicates/near is duplicates.near),
for the modules core, job and tools. Its layer is that of the longest prefix in LAYERS; an import from
a package to one in a higher layer runs back up. (Between modules the build itself forbids it.) Only explicit imports of io.nagselector classes count (same-package references need none)."""
import os
import re
import sys
from collections import Counter, defaultdict

MODULES = ["core", "job", "tools"]
SOURCES = "src/main/java/io/nagselector"
# lower numbers sit lower: a package may import its own layer and the ones below
LAYERS = {
    "nag": 0, "model": 0, "dedupe": 0, "io": 0, "rank": 0,
    "pipeline": 1,
    "config": 2,
    "kafka": 3, "dataset": 3,
    "ingest": 4, "duplicates": 4, "extract": 4, "select": 4, "control": 4, "batch": 4,
    "job": 5,
    "cli": 6, "demo": 6, "report": 6, "bench": 6, "cluster": 6, "broker": 6,
}


def package_of(root, path):
    rel = os.path.relpath(os.path.dirname(path), root).replace(os.sep, ".")
    return rel.split(".")[0] if "--top-level" in sys.argv else rel


def layer(package):
    parts = package.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYERS:
            return LAYERS[".".join(parts[:n])]
    return None


def scan():
    lines = Counter()
    files = Counter()
    edges = Counter()
    module = {}
    for root, folder, names in ((r, f, n) for m in MODULES for r in [os.path.join(m, SOURCES)] for f, _, n in os.walk(r)):
        for name in names:
            if not name.endswith(".java"):
                continue
            path = os.path.join(folder, name)
            pkg = package_of(root, path)
            module[pkg] = root.split(os.sep)[0]
            text = open(path, encoding="utf-8").read()
            lines[pkg] += text.count("\n")
            files[pkg] += 1
            for m in re.finditer(r"^import (?:static )?io\.nagselector\.([\w.]+)\.[A-Z]\w*", text, re.M):
                target = m.group(1)
                # a static import names a class too: drop trailing class segments
                target = ".".join(p for p in target.split(".") if p[:1].islower())
                if "--top-level" in sys.argv:
                    target = target.split(".")[0]
                # the Avro records are generated and import nothing of ours: left out
                if target != pkg and target != "avro":
                    edges[(pkg, target)] += 1
    return lines, files, edges, module


def main():
    lines, files, edges, module = scan()
    total = sum(lines.values())
    print(f"{total} lines in {sum(files.values())} files, {len(lines)} packages\n")
    print("| package | module | layer | files | lines | share |")
    print("|---|---|---|---|---|---|")
    for pkg, n in sorted(lines.items(), key=lambda kv: -kv[1]):
        print(f"| `{pkg}` | {module[pkg]} | {layer(pkg)} | {files[pkg]} | {n} | {100 * n / total:.1f} % |")
    for m in MODULES:
        n = sum(v for k, v in lines.items() if module[k] == m)
        print(f"module {m}: {n} lines ({100 * n / total:.1f} %)")
    top = {}
    for pkg, n in lines.items():
        top[pkg.split(".")[0]] = top.get(pkg.split(".")[0], 0) + n
    biggest = max(top.items(), key=lambda kv: kv[1])
    print(f"\nlargest top-level package: {biggest[0]} ({100 * biggest[1] / total:.1f} % of the lines)")
    back = [(a, b, n) for (a, b), n in sorted(edges.items()) if layer(b) is not None and layer(a) is not None and layer(b) > layer(a)]
    print(f"imports that run back up the layers: {sum(n for _, _, n in back)}")
    for a, b, n in back:
        print(f"  {a} -> {b}: {n}")
    cycles = [(a, b) for (a, b) in edges if (b, a) in edges and a < b]
    print(f"package pairs that import each other: {len(cycles)}")
    for a, b in sorted(cycles):
        print(f"  {a} <-> {b} ({edges[(a, b)]} and {edges[(b, a)]})")
    if "--mermaid" in sys.argv:
        print("\n```mermaid\nflowchart TD")
        for (a, b), n in sorted(edges.items()):
            print(f"  {a.replace('.', '_')}[{a}] -->|{n}| {b.replace('.', '_')}[{b}]")
        print("```")


if __name__ == "__main__":
    main()
