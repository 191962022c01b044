"""Scores bounce_parse on a labelled corpus (the format of the corpus' README)."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from organisatrice.emails.delivery.parsing import bounce_parse
from organisatrice.emails.delivery.reports import ReportKind

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass
class Score:
    bounces: int = 0
    recognised: int = 0  # a bounce, with exactly the labelled recipient set
    recipients: int = 0
    found: int = 0
    hard_right: int = 0
    class_right: int = 0
    status_right: int = 0
    status_comparable: int = 0
    false_bounces: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    hard_wrong: list[str] = field(default_factory=list)

    def percent(self, part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 100.0

    def summary(self) -> dict[str, object]:
        return {
            "bounces": self.bounces,
            "recognised_pct": round(self.percent(self.recognised, self.bounces), 1),
            # Of the labelled recipients found (a recipient not found is already a miss above).
            "hard_soft_pct": round(self.percent(self.hard_right, self.found), 1),
            "status_class_pct": round(self.percent(self.class_right, self.recipients), 1),
            "status_exact_pct": round(self.percent(self.status_right, self.status_comparable), 1),
            "false_bounces": len(self.false_bounces),
        }


def _names(expected: dict[str, object]) -> set[str]:
    return {str(v).lower() for k, v in expected.items() if k in ("email", "alias") and v}


def _rfc3463(status: str | None) -> bool:
    # sisimai's own codes (X.0.9NN, X.9.NNN) are not in the messages.
    if not status:
        return False
    _cls, subject, detail = status.split(".")
    return not (subject == "9" or (subject == "0" and len(detail) == 3 and detail.startswith("9")))


def score(folder: Path = CORPUS) -> Score:
    result = Score()
    for label in json.loads((folder / "labels.json").read_text()):
        parsed = bounce_parse((folder / label["file"]).read_bytes())
        kinds = {label["kind"], *label.get("also_ok", [])}
        if label["kind"] != "bounce":
            if parsed.kind == ReportKind.BOUNCE and "bounce" not in kinds:
                result.false_bounces.append(label["file"])
            continue
        result.bounces += 1
        expected = label["recipients"]
        got = {r.email.lower(): r for r in parsed.recipients}
        got.update({r.original.lower(): r for r in parsed.recipients if r.original})
        matched = [(e, next((got[n] for n in _names(e) if n in got), None)) for e in expected]
        # Exactly the right recipients: each labelled one found, and none found that is not labelled
        # (a report may name one recipient by both its addresses; the labels may list one twice).
        known = set().union(*(_names(e) for e in expected)) if expected else set()
        extra = [r for r in parsed.recipients if r.email.lower() not in known and r.original.lower() not in known]
        exact = parsed.kind == ReportKind.BOUNCE and all(r is not None for _e, r in matched) and not extra
        if exact:
            result.recognised += 1
        else:
            result.misses.append(label["file"])
        for e, r in matched:
            result.recipients += 1
            if r is None:
                continue
            result.found += 1
            if r.hard == e["hard"]:
                result.hard_right += 1
            else:
                result.hard_wrong.append(f"{label['file']} {r.email} {r.status} want={e['hard']} {e['reason']}")
            if e["status"] and r.status[:1] == e["status"][:1]:
                result.class_right += 1
            if _rfc3463(e["status"]):
                result.status_comparable += 1
                result.status_right += r.status == e["status"]
    return result


if __name__ == "__main__":
    import sys

    outcome = score(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS)
    print(json.dumps(outcome.summary()))
    if "-v" in sys.argv:
        print("misses", outcome.misses)
        print("false", outcome.false_bounces)
        print("\n".join(outcome.hard_wrong))
