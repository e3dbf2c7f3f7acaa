"""Is a new payload schema compatible with the one published under the same schema version?

Within one ``schema_version`` both directions must keep working, because topics keep their
history (``retention.ms=-1``) and integrators generate code from the published schema:

* an integrator built against the published schema must accept every payload the new model
  produces (published schemas do not forbid unknown properties: a new *optional* field is fine);
* the new model must read every payload produced under the published schema (stored events,
  topic history, projections rebuilt from Kafka).

So within a version a field may be added when it has a default, and a required field may get a
default; everything else -- a field removed, renamed or retyped, an optional field made
required, an enum value added or removed, a pattern or format changed, nullability changed -- is
breaking and needs a new ``schema_version`` with an upcaster (``contracts.upcasters``).
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# Keywords that document a schema without changing which instances it accepts.
ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "$comment",
        "$schema",
        "$id",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)


class _Walker:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.problems: list[str] = []
        self._seen: set[tuple[str, str]] = set()

    @staticmethod
    def _resolve(root: Schema, node: Any) -> tuple[Any, str | None]:
        ref = None
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                raise ValueError(f"only local references are supported, not {ref!r}")
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node, ref

    def compare(self, old: Any, new: Any, where: str) -> None:
        old, old_ref = self._resolve(self.old_root, old)
        new, new_ref = self._resolve(self.new_root, new)
        if old_ref is not None and new_ref is not None:
            if (old_ref, new_ref) in self._seen:
                return  # a recursive model: this pair is being compared further up
            self._seen.add((old_ref, new_ref))
        if not isinstance(old, dict) or not isinstance(new, dict):
            if old != new:
                self.problems.append(f"{where}: {_show(old)} became {_show(new)}")
            return
        keys = (old.keys() | new.keys()) - ANNOTATIONS
        keys = {k for k in keys if not k.startswith("x-")}
        for key in sorted(keys):
            if key == "properties":
                self._properties(old, new, where)
            elif key == "required":
                continue  # judged with the properties
            elif key == "additionalProperties" and old.get(key) in (None, True):
                continue  # published schemas allow unknown properties; tightening is harmless
            elif key == "enum":
                self._enum(old.get(key), new.get(key), where)
            elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
                self._list(old.get(key), new.get(key), f"{where}", key)
            elif key in ("items", "additionalProperties", "not", "contains"):
                if key not in old or key not in new:
                    self.problems.append(f"{where}: '{key}' {_added_or_removed(old, key)}")
                else:
                    self.compare(old[key], new[key], f"{where}[]" if key == "items" else where)
            elif key in ("$defs", "definitions"):
                continue  # reached through references
            elif old.get(key) != new.get(key):
                self.problems.append(
                    f"{where}: {key} {_show(old.get(key))} became {_show(new.get(key))}"
                )

    def _properties(self, old: Schema, new: Schema, where: str) -> None:
        old_props: Schema = old.get("properties", {})
        new_props: Schema = new.get("properties", {})
        old_required = set(old.get("required", ()))
        new_required = set(new.get("required", ()))
        for name in old_props:
            path = f"{where}.{name}" if where else name
            if name not in new_props:
                self.problems.append(f"{path}: field removed")
                continue
            if name in new_required and name not in old_required:
                self.problems.append(f"{path}: optional field became required")
            self.compare(old_props[name], new_props[name], path)
        for name in new_props.keys() - old_props.keys():
            if name in new_required:
                path = f"{where}.{name}" if where else name
                self.problems.append(f"{path}: new required field (give it a default)")

    def _enum(self, old: Any, new: Any, where: str) -> None:
        if old is None or new is None:
            self.problems.append(f"{where}: enum {'added' if old is None else 'removed'}")
            return
        added = [v for v in new if v not in old]
        removed = [v for v in old if v not in new]
        if added:
            self.problems.append(f"{where}: enum values added {added}")
        if removed:
            self.problems.append(f"{where}: enum values removed {removed}")

    def _list(self, old: Any, new: Any, where: str, key: str) -> None:
        if not isinstance(old, list) or not isinstance(new, list) or len(old) != len(new):
            self.problems.append(f"{where}: {key} {_show(old)} became {_show(new)}")
            return
        for i, (o, n) in enumerate(zip(old, new, strict=True)):
            self.compare(o, n, where if key == "anyOf" else f"{where}<{key}[{i}]>")


def _show(value: Any) -> str:
    if isinstance(value, dict):
        if "type" in value:
            return repr(value["type"])
        return "{" + ", ".join(sorted(value)) + "}"
    return repr(value)


def _added_or_removed(old: Schema, key: str) -> str:
    return "removed" if key in old else "added"


def breaking_changes(published: Schema, current: Schema) -> list[str]:
    """Why ``current`` cannot replace ``published`` under the same schema version (empty: it
    can)."""
    walker = _Walker(published, current)
    walker.compare(published, current, "")
    return [p if not p.startswith(":") else "(payload)" + p for p in walker.problems]
