#!/usr/bin/env python3
"""Regenerates the "Scenarios that violate it" / "Scenarios in which it holds" sections of
proofs-notes/properties/*.md from the verdicts ukl check gives on specs/scenarios/*.scenario.
Run from the repository root: python3 proofs-notes/tools/scenario-lists.py"""
import json, pathlib, re, subprocess, sys

root = pathlib.Path(__file__).resolve().parents[2]
jar = root / "checkers" / "target" / "ukl.jar"
if not jar.exists():
    sys.exit("build first: mvn -q -DskipTests package (or run ./ukl once)")
viol, holds, about = {}, {}, {}
for f in sorted((root / "specs" / "scenarios").glob("*.scenario")):
    name = f.stem
    comment = " ".join(l[1:].strip() for l in f.read_text().splitlines() if l.startswith("#"))
    about[name] = comment
    out = subprocess.run(["java", "-jar", str(jar), "check", "--scenario", str(f), "--format", "json"],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"{f}: exit {out.returncode}: {out.stderr}")
    for p in json.loads(out.stdout)["properties"]:
        if p["status"] == "violated": viol.setdefault(p["name"], []).append(name)
        elif p["status"] == "holds": holds.setdefault(p["name"], []).append(name)
for page in sorted((root / "proofs-notes" / "properties").glob("*.md")):
    prop = page.stem
    text = page.read_text()
    head = text.split("## Scenarios that violate it")[0]
    v = "\n".join(f"- `{n}`: {about[n]}" for n in viol.get(prop, [])) or "(none)"
    h = ", ".join(f"`{n}`" for n in holds.get(prop, [])) or "(none)"
    page.write_text(head + "## Scenarios that violate it\n\n" + v + "\n\n## Scenarios in which it holds\n\n" + h +
                    "\n\nAll are under `specs/scenarios/` and run by `mvn -B verify` (ScenarioSuiteTest), which also fails"
                    " if a property loses its violating or its satisfying scenario.\n")
print(f"{len(about)} scenarios, {len(list((root / 'proofs-notes' / 'properties').glob('*.md')))} pages")
