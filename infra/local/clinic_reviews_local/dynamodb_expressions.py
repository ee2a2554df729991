"""moto's DynamoDB update expressions parsed once per text, not twice per UpdateItem.

moto 5.2.5 tokenizes and parses an UpdateItem's `UpdateExpression` twice per request (the response handler, for
its checks of unused names and values, then the backend), about a fifth of the CPU of the review store's
UpdateItem in the embedded AWS (docs/notes.md, issue-18h). The parse is a function of the text alone: names and
values are substituted later, by the validator, on its own deep copy of the tree (`Validator.__init__`), and the
other readers only look (`find_clauses`). pynamodb writes its expressions with numbered placeholders
(`SET #0 = :0`), so the same few texts come back all the time.

Here `UpdateExpressionParser.make` keeps the trees of the last 512 texts. A text that does not parse raises as
before, every time (an exception is never kept). tests/unit/test_dynamodb_expressions.py compares the answers and
errors of updates with moto's own path and checks that the kept tree is never changed by an update.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

PARSED_KEPT = 512


@contextmanager
def installed() -> Iterator[None]:
    """Update expressions parsed once per text, until the block ends."""
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    original = UpdateExpressionParser.__dict__["make"].__func__
    kept = functools.lru_cache(maxsize=PARSED_KEPT)(functools.partial(original, UpdateExpressionParser))
    with mock.patch.object(UpdateExpressionParser, "make", staticmethod(kept)):
        yield
