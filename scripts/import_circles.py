#!/usr/bin/env python3
"""Import circles between the source files of each crate: files that import
each other, directly or through others. The workspace keeps none (a circle
means two modules are really one, or a shared part wants its own file).

    python3 scripts/import_circles.py [REPO]

Reads `use crate::...`, `use super::...`, `use self::...` (grouped forms
included) and inline `crate::a::b` paths, outside `#[cfg(test)] mod tests`,
maps each to the file that defines the module, and prints every strongly
connected component of more than one file. Exit 1 when there is any.
"""

import os
import re
import sys

USE_GROUP = re.compile(r"\buse\s+(crate|super|self)::\{([^;]*)\}")
PATH = re.compile(r"\b((?:crate|super|self)(?:::\w+)+)")


def crate_roots(repo):
    roots = [os.path.join(repo, "src")]
    crates = os.path.join(repo, "crates")
    if os.path.isdir(crates):
        roots += [os.path.join(crates, d, "src") for d in sorted(os.listdir(crates))]
    return [r for r in roots if os.path.isdir(r)]


def module_of(src, path):
    parts = os.path.relpath(path, src)[:-3].split(os.sep)
    if parts[0] == "bin":
        return None
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def imports(text):
    text = re.sub(r"//.*", "", text)
    cut = text.find("#[cfg(test)]\nmod tests")
    if cut >= 0:
        text = text[:cut]
    paths = []
    for group in USE_GROUP.finditer(text):
        for item in re.split(r"[,{}\s]+", group.group(2)):
            if item and item != "self":
                paths.append(group.group(1) + "::" + item)
    paths += PATH.findall(USE_GROUP.sub("", text))
    return paths


def graph(src):
    files = {}
    for folder, _, names in os.walk(src):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(folder, name)
                module = module_of(src, path)
                if module is not None:
                    files[module] = path
    edges = {module: set() for module in files}
    for module, path in files.items():
        with open(path) as handle:
            text = handle.read()
        for used in imports(text):
            parts = used.split("::")
            if parts[0] == "crate":
                base, parts = [], parts[1:]
            else:
                base = list(module)
                while parts and parts[0] in ("super", "self"):
                    if parts[0] == "super":
                        base = base[:-1]
                    parts = parts[1:]
            full = tuple(base) + tuple(parts)
            target = next((full[:k] for k in range(len(full), 0, -1) if full[:k] in files), None)
            if target and target != module:
                edges[module].add(target)
    return edges


def circles(edges):
    """Tarjan's strongly connected components, iterative."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    total = 0
    for src in crate_roots(repo):
        for component in circles(graph(src)):
            total += 1
            names = " <-> ".join("::".join(m) or "lib" for m in component)
            print(f"{os.path.relpath(src, repo)}: {names}")
    print(f"import circles: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
