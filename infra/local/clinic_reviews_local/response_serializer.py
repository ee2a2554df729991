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
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from unittest import mock


def _cached(original, known: frozenset):
    """`get_possible_keys` of one picker class, remembered per (picker, member, class name of the value)."""
    found: dict[tuple, tuple] = {}

    def get_possible_keys(self, context) -> Iterator[str]:
        obj, shape = context.obj, context.shape
        providers = tuple(self.alias_providers)
        if hasattr(obj, "Meta") or not known.issuperset(providers):
            yield from original(self, context)
            return
        parent = getattr(shape, "parent", None)
        key = (type(self), providers, context.key, id(shape), id(parent), obj.__class__.__name__)
        names = found.get(key)
        if names is None:
            # the shape and its parent are kept with the names, so their ids cannot be reused by other shapes
            names = found[key] = (shape, parent, tuple(original(self, context)))
        yield from names[2]

    return get_possible_keys


@contextmanager
def installed() -> Iterator[None]:
    """moto's attribute pickers with remembered names, until the block ends."""
    from moto.core import serialize

    known = frozenset(serialize.DEFAULT_ALIAS_PROVIDERS)
    with ExitStack() as patches:
        for picker in (serialize.AttributePicker, serialize.XFormedAttributePicker):
            patches.enter_context(mock.patch.object(
                picker, "get_possible_keys", _cached(picker.__dict__["get_possible_keys"], known)))
        yield
