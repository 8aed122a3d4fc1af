"""A desk that pushes the page: many actors with long names, many questions (the matrix's
columns) and many declared commitment fields with long values.

Written into a folder by `write_wide_desk`, from the COP desk's vocabulary (tests/fixtures/cop)
with fields and questions added, and one generated source text that every quote is cut from.
The desk's own templates are left out: it is the packaged layout that must hold it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

COP = Path(__file__).resolve().parent / "fixtures" / "cop"
SOURCE_ID = "wide-record"

# Long names on purpose: they wrap in the contents, the matrix and the running header.
NAMES = (
    "Federated Commonwealth of the Northern Archipelago Territories",
    "United Provinces of the Upper and Lower River Basins",
    "Autonomous Coastal Region of the Southern Peninsula",
    "Intergovernmental Alliance of Small Island Developing States",
    "Confederation of Highland Cantons and Mountain Districts",
    "Metropolitan Network of Climate-Resilient Port Cities",
)


def actor_name(index: int) -> str:
    """The name of the index-th actor (1-based): long, and unique."""
    return f"{NAMES[(index - 1) % len(NAMES)]} {index:02d}"


def _sentence(index: int, key: str) -> str:
    return (
        f"For actor {index:02d} the {key.replace('_', ' ')} was reported as a long and "
        f"carefully qualified description number {index:02d} that runs well past a cell"
    )


def write_wide_desk(parent: Path, actors: int = 30, questions: int = 7, fields: int = 8) -> Path:
    """A desk under `parent`/wide with `actors` actors, `questions` questions and `fields`
    declared text fields on each commitment (every one filled); its root."""
    root = parent / "wide"
    facts = root / "facts"
    shutil.copytree(COP / "facts", facts)
    shutil.rmtree(facts / "actors")
    (facts / "actors").mkdir()
    for stale in (facts / "sources").iterdir():
        stale.unlink()

    edition: dict[str, Any] = yaml.safe_load((facts / "edition.yaml").read_text())
    edition["questions"] = [
        {
            "id": f"q{n}",
            "label": f"Question {n} on the long-term finance and phase-out arrangements",
            "text": f"Should the decision text settle arrangement number {n}?",
        }
        for n in range(1, questions + 1)
    ]
    (facts / "edition.yaml").write_text(yaml.safe_dump(edition, sort_keys=False))

    vocabulary: dict[str, Any] = yaml.safe_load((facts / "vocabulary.yaml").read_text())
    keys = [f"detail_{n}" for n in range(1, fields + 1)]
    vocabulary["fields"]["commitment"] += [
        {
            "key": key,
            "label": f"Declared detail {n} with a long label",
            "type": "text",
            "description": "A long text value, to test how tables fold.",
        }
        for n, key in enumerate(keys, start=1)
    ]
    (facts / "vocabulary.yaml").write_text(yaml.safe_dump(vocabulary, sort_keys=False))

    paragraphs: list[str] = []
    people: list[dict[str, str]] = []
    for index in range(1, actors + 1):
        actor_id = f"a{index:02d}"
        name = actor_name(index)
        stance = f"{name} backs every arrangement on the table"
        pledge = f"{name} pledged 10 million dollars to the fund by 2030"
        said = f"Speaker {index:02d} of {name} said the pledge would be paid in full"
        details = [_sentence(index, key) for key in keys]
        paragraphs.append(". ".join([stance, pledge, said, *details]) + ".")
        people.append(
            {
                "id": f"p{index:02d}",
                "name": f"Speaker {index:02d}",
                "role": f"Minister for the Environment of {name}",
                "actor": actor_id,
            }
        )

        def cite(quote: str) -> list[dict[str, str]]:
            return [{"source": SOURCE_ID, "quote": quote}]

        actor: dict[str, Any] = {
            "id": actor_id,
            "name": name,
            "kind": "city network",
            "bluf": [
                {
                    "text": f"{name} backs every arrangement.",
                    "confidence": "medium",
                    "citations": cite(stance),
                }
            ],
            "positions": [
                {
                    "id": f"{actor_id}-q{n}",
                    "question": f"q{n}",
                    "stance": "backs with conditions" if n % 2 else "backs",
                    **({"condition": "The finance to get there is on the table."} if n % 2 else {}),
                    "summary": f"Backs arrangement {n}.",
                    "citations": cite(stance),
                }
                for n in range(1, questions + 1)
            ],
            "commitments": [
                {
                    "id": f"{actor_id}-pledge",
                    "title": f"Contribution of {name} to the fund for loss and damage",
                    "summary": "10 million USD to the fund, to be paid by 2030.",
                    "kind": "fund contribution",
                    "status": "announced",
                    "sectors": ["finance", "energy", "transport"],
                    "finance_usd": 10000000,
                    "target_year": 2030,
                    "baseline": "a long and carefully stated baseline of 2019 levels",
                    **{key: f"{text}." for key, text in zip(keys, details, strict=True)},
                    "citations": cite(pledge),
                }
            ],
            "statements": [
                {
                    "id": f"{actor_id}-said",
                    "speaker": f"p{index:02d}",
                    "channel": "press report",
                    "summary": "Said the pledge would be paid in full.",
                    "citations": cite(said),
                }
            ],
        }
        text = yaml.safe_dump(actor, sort_keys=False, width=100)
        (facts / "actors" / f"{actor_id}.yaml").write_text(text)

    (facts / "sources" / f"{SOURCE_ID}.txt").write_text("\n\n".join(paragraphs) + "\n")
    sources = {
        "sources": [
            {
                "id": SOURCE_ID,
                "file": f"{SOURCE_ID}.txt",
                "title": "A generated record of many pledges",
                "outlet": "Test Wire",
                "date": {"value": "2026-11-05", "basis": "stated"},
                "reliability": "B",
                "reliability_note": "Generated for the layout tests.",
            }
        ]
    }
    (facts / "sources.yaml").write_text(yaml.safe_dump(sources, sort_keys=False))
    (facts / "people.yaml").write_text(yaml.safe_dump({"people": people}, sort_keys=False))
    overview = {
        "bluf": [
            {
                "text": "Every actor on record backs every arrangement.",
                "confidence": "medium",
                "citations": [{"source": SOURCE_ID, "quote": f"{actor_name(1)} backs every"}],
            }
        ]
    }
    (facts / "overview.yaml").write_text(yaml.safe_dump(overview, sort_keys=False))
    return root
