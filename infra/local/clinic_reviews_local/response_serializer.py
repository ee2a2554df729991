"""moto's response serializer with the names it tries for each member worked out once, not for every value.

moto serializes a response by walking the operation's output shape; for each member of each structure it asks six
alias providers which names the member may have on the Python value (its own name, the model's serialization
name, the shape's name, the name without the parent shape's or the value's class prefix, an explicit alias on the
value's `Meta`) and tries them in order. A Step Functions history event has some seventy members, so one
`GetExecutionHistory` of a demo run made tens of thousands of these questions, and DynamoDB streams' records as
many: a tenth of a first demo run's CPU was in that serializer (docs/notes.md, issue-18h).

The answer depends only on the member (its key, its shape, the shape's parent), the picker and its providers, and
the value's class name; and, through `Meta.serialization_aliases`, on the value itself. Here, for a value with no
`Meta` and a picker using only moto's own providers, the names are computed once per member, picker and class
name and then reused, in the same order; moto's picker still tries them on the value in that order, so it picks
the same attribute. Anything else takes moto's own path.

For a plain dict (history events, stream records, most of moto's answers) and a picker without response
transformers, the serializer's `get_value` looks the remembered names up in the dict itself, first found wins, as
the picker does (through moto's `get_value`, paths included), without building the picker's context for every
member.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock


class Names:
    """Each member's candidate names for one picker class, worked out once (moto's `get_possible_keys`)."""

    def __init__(self, original, known: frozenset, default: list):
        self._original, self._known, self._default = original, known, default
        self._found: dict[tuple, tuple] = {}

    def of(self, picker, context) -> tuple | None:
        """The names, in moto's order; None where they may depend on more than the member (a `Meta`, other providers)."""
        obj, shape, providers = context.obj, context.shape, picker.alias_providers
        if providers is self._default:
            providers = None  # moto's own list, the usual case
        elif self._known.issuperset(providers):
            providers = tuple(providers)
        else:
            return None
        if hasattr(obj, "Meta"):
            return None
        parent = getattr(shape, "parent", None)
        key = (type(picker), providers, context.key, id(shape), id(parent), obj.__class__.__name__)
        kept = self._found.get(key)
        if kept is None:
            # the shape and its parent are kept with the names, so their ids cannot be reused by other shapes
            names = tuple(self._original(picker, context))
            kept = self._found[key] = (shape, parent, names, any("." in name for name in names))
        return kept[2:]

    def patched(self):
        """`get_possible_keys` answering from the kept names."""
        names_of, original = self.of, self._original

        def get_possible_keys(picker, context) -> Iterator[str]:
            found = names_of(picker, context)
            if found is None:
                yield from original(picker, context)
            else:
                yield from found[0]

        return get_possible_keys


class _Member:
    """What the pickers read of a member (the rest of moto's context is for response transformers, not used here)."""

    __slots__ = ("obj", "key", "shape")

    def __init__(self, obj: dict, key: str, shape: Any):
        self.obj, self.key, self.shape = obj, key, shape


def _dict_members(original, names: dict):
    """moto's `ResponseSerializer.get_value` for a plain dict: the first kept name the dict holds."""
    from moto.core.utils import MISSING
    from moto.core.utils import get_value as value_at

    def get_value(self, value, key, shape):
        picker = self._value_picker
        kept = names.get(type(picker))
        if type(value) is not dict or kept is None or picker.response_transformers:
            return original(self, value, key, shape)
        found = kept.of(picker, _Member(value, key, shape))
        if found is None:
            return original(self, value, key, shape)
        candidates, paths = found
        for name in candidates:
            # a name with a dot is a path (moto's `get_value`); any other is a key of the dict
            member = value_at(value, name, MISSING) if paths else value.get(name, MISSING)
            if member is not MISSING:
                return member
        return None

    return get_value


@contextmanager
def installed() -> Iterator[None]:
    """moto's attribute pickers with remembered names, until the block ends."""
    from moto.core import serialize

    known = frozenset(serialize.DEFAULT_ALIAS_PROVIDERS)
    names = {picker: Names(picker.__dict__["get_possible_keys"], known, serialize.DEFAULT_ALIAS_PROVIDERS)
             for picker in (serialize.AttributePicker, serialize.XFormedAttributePicker)}
    with ExitStack() as patches:
        for picker, kept in names.items():
            patches.enter_context(mock.patch.object(picker, "get_possible_keys", kept.patched()))
        patches.enter_context(mock.patch.object(
            serialize.ResponseSerializer, "get_value", _dict_members(serialize.ResponseSerializer.get_value, names)))
        yield
