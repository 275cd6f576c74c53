"""`--output-format gitlab`: a GitLab Code Quality report (a JSON array of issues), for
`artifacts: reports: codequality:` in `.gitlab-ci.yml`.

Each issue has what GitLab reads (its "Code Quality report format"): `description`,
`check_name` (the code), `fingerprint`, `severity` (`major`: every finding is a bug to
fix), `location.path` (relative to the working directory, which in a GitLab job is the
repository root) and `location.lines.begin`, plus `location.positions` (Code Climate's
1-based line and column). Lines and columns are kerascheck's own, 1-based; in a notebook
the line is the cell's and the cell goes into the description (GitLab knows no cells).

GitLab compares the fingerprints of the merge request's report with the target branch's
to say which issues are new and which are fixed, so a fingerprint must not change when
unrelated lines move: it is the baseline's (kerascheck/baseline.py: the file, the code and
the finding's own statement), with the finding's rank among identical ones, which also
keeps them unique within the report, as GitLab requires.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kerascheck import baseline
from kerascheck.report import message


def _positions(finding) -> dict:
    """The one place where a finding's position becomes GitLab's (1-based, as kerascheck's)."""
    end_line = finding.end_line if finding.end_line is not None else finding.line
    end_column = finding.end_column if finding.end_column is not None else finding.column
    return {"lines": {"begin": finding.line, "end": end_line},
            "positions": {"begin": {"line": finding.line, "column": finding.column},
                          "end": {"line": end_line, "column": end_column}}}


def issue(finding, fingerprint: str) -> dict:
    where = f" (cell {finding.cell})" if finding.cell is not None else ""
    return {
        "description": f"{finding.code}: {message(finding)}{where}",
        "check_name": finding.code,
        "fingerprint": fingerprint,
        "severity": "major",
        "location": {"path": Path(finding.path).as_posix(), **_positions(finding)},
    }


def render(findings: list, context: dict) -> str:
    sources = {path: baseline.SourceText.from_data(path, text) for path, text in (context.get("sources") or {}).items()}
    seen: dict = {}
    issues = []
    for finding in findings:
        source = sources.get(finding.path)
        if source is None:
            source = sources[finding.path] = baseline.SourceText.read(finding.path)
        key = (Path(finding.path).as_posix(), finding.code, baseline.fingerprint(finding, source))
        rank = seen[key] = seen.get(key, -1) + 1
        digest = hashlib.sha256("\0".join([*key, str(rank)]).encode("utf-8", "surrogatepass")).hexdigest()
        issues.append(issue(finding, digest[:32]))
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
