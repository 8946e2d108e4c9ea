"""The example queries offered on the explorer page: the repository's queries/*.rq, read at each page load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Example:
    name: str  # file stem, e.g. "conferences"
    title: str  # the first comment line of the file
    text: str


# Used only when no queries/ folder is found (confkg installed from a wheel, run elsewhere).
BUILTIN = [
    Example(
        "graphs",
        "The named graphs and how many triples each holds.",
        "SELECT ?graph (COUNT(*) AS ?triples)\nWHERE { GRAPH ?graph { ?s ?p ?o } }\nGROUP BY ?graph\nORDER BY ?graph\n",
    ),
    Example(
        "entities",
        "Entities by type, with their Arabic and English labels.",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?entity ?type ?ar ?en WHERE {\n"
        "  ?entity a ?type .\n"
        '  OPTIONAL { ?entity rdfs:label ?ar FILTER(LANG(?ar) = "ar") }\n'
        '  OPTIONAL { ?entity rdfs:label ?en FILTER(LANG(?en) = "en") }\n'
        "}\nORDER BY ?type ?entity\nLIMIT 200\n",
    ),
]


def find_queries_dir(explicit: str | Path | None = None) -> Path | None:
    """The folder of example queries: the one given, else the repository's, else ./queries."""
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    # In a source checkout (src layout, editable install) this file is
    # <repo>/src/confkg/serve/examples.py, so the repository is three levels up.
    candidates.append(Path(__file__).resolve().parents[3] / "queries")
    candidates.append(Path.cwd() / "queries")
    for folder in candidates:
        if folder.is_dir() and any(folder.glob("*.rq")):
            return folder
    return None


def load_examples(folder: Path | None) -> list[Example]:
    """Every .rq file of the folder, sorted by name; the built-in pair when there is none."""
    if folder is None:
        return list(BUILTIN)
    out = []
    for path in sorted(folder.glob("*.rq")):
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        title = ""
        for line in text.splitlines():
            if line.strip().startswith("#"):
                title = line.strip().lstrip("#").strip()
                break
            if line.strip():
                break
        out.append(Example(path.stem, title or path.stem, text))
    return out or list(BUILTIN)
