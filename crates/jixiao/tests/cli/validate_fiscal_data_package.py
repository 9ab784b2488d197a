"""Validates a Fiscal Data Package written by `jixiao export fiscal-data-package`: the descriptor
against the published Fiscal Data Package profile (as bundled with the `datapackage` package,
the Frictionless reference implementation) and every table against its schema (`frictionless`).
Exit 0 when valid, 1 with the problems otherwise, 2 when the validators are not installed."""
import json
import sys

try:
    import frictionless
    from datapackage import Profile, exceptions
except ImportError as missing:
    print(f"validator not installed: {missing}", file=sys.stderr)
    sys.exit(2)

directory = sys.argv[1]
with open(f"{directory}/datapackage.json", encoding="utf-8") as f:
    descriptor = json.load(f)
problems = []
try:
    Profile("fiscal-data-package").validate(descriptor)
except exceptions.ValidationError as error:
    problems += [f"profile: {e}" for e in getattr(error, "errors", [error])]
report = frictionless.validate(f"{directory}/datapackage.json")
if not report.valid:
    for task in report.tasks:
        for e in task.errors:
            problems.append(f"{task.name}: {e.message}")
    for e in report.errors:
        problems.append(f"package: {e.message}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"valid: {len(report.tasks)} tables, fiscal-data-package profile")
