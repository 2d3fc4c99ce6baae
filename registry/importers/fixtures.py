"""Act documents in files: YAML or JSON, one act per file, loaded in effective-date order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.application import documents
from registry.application.acts import is_act_document
from registry.application.service import Recorded, Registry
from registry.domain.errors import InvalidInput, RegistryError

SUFFIXES = {".yaml", ".yml", ".json"}


@dataclass(frozen=True)
class ActFile:
    path: Path
    document: dict[str, Any]

    @property
    def effective(self) -> str:
        return str(self.document["act"].get("effective"))


def read_document(path: Path) -> Any:
    try:
        return documents.read_document(
            path.read_bytes(), "json" if path.suffix == ".json" else "yaml", str(path))
    except InvalidInput as e:
        raise InvalidInput(f"{path}: {e.detail}") from None


def find_acts(paths: Iterable[Path]) -> list[ActFile]:
    """Every act document under ``paths``, by effective date then path; other files are skipped."""
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            raise InvalidInput(f"{p}: no such file or directory")
        files.extend(sorted(f for f in p.rglob("*") if f.suffix in SUFFIXES) if p.is_dir() else [p])
    acts = []
    for f in files:
        doc = read_document(f)
        if is_act_document(doc):
            acts.append(ActFile(f, doc))
    return sorted(acts, key=lambda a: (a.effective, str(a.path)))


def load(registry: Registry, paths: Iterable[Path], actor: str,
         progress: Callable[[ActFile, Recorded], None] | None = None) -> list[Recorded]:
    results = []
    for act in find_acts(paths):
        try:
            result = registry.record(act.document, actor)
        except RegistryError as e:
            e.add_note(f"while loading {act.path}")
            raise
        results.append(result)
        if progress:
            progress(act, result)
    return results
