#!/usr/bin/env python3
"""Checks the package's layers: every `import` of a package module in a target's sources is a
dependency the target declares in Package.swift, and the library layers have no back edges
(ColaTraining never imports ColaEvaluation, ColaStandIns or ColaPipeline).

Usage: swift package dump-package | Tests/check_module_layers.py
Prints each target's package imports; exits 1 on an undeclared import or a back edge.
"""
import json
import pathlib
import re
import sys

# Library layers that must not depend on the ones after them (docs: README, "Code map").
FORBIDDEN = {
    "ColaTraining": {"ColaEvaluation", "ColaStandIns", "ColaPipeline"},
    "ColaEvaluation": {"ColaTraining", "ColaStandIns", "ColaPipeline"},
    "ColaModel": {"ColaAudio", "ColaDistributed", "ColaTraining", "ColaEvaluation"},
    "ColaCore": set(),
}

package = json.load(sys.stdin)
root = pathlib.Path(__file__).resolve().parent.parent
targets = {t["name"]: t for t in package["targets"]}
problems = []
for name, target in sorted(targets.items()):
    if target["type"] == "system":
        continue
    declared = {d["byName"][0] for d in target["dependencies"] if "byName" in d}
    declared |= {d["product"][0] for d in target["dependencies"] if "product" in d}
    folder = root / ("Tests" if target["type"] == "test" else "Sources") / name
    imports = set()
    for source in folder.rglob("*.swift"):
        for match in re.finditer(r"^(?:@testable )?import (\w+)", source.read_text(), re.M):
            imports.add(match.group(1))
    own = imports & set(targets)
    print(f"{name}: {', '.join(sorted(own)) or '-'}")
    for module in sorted(own - declared):
        problems.append(f"{name} imports {module} without declaring it in Package.swift")
    for module in sorted(imports & FORBIDDEN.get(name, set())):
        problems.append(f"{name} imports {module}: a back edge between layers")
for problem in problems:
    print("error:", problem, file=sys.stderr)
sys.exit(1 if problems else 0)
