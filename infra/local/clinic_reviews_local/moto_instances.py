"""moto's models are not kept for ever in the embedded AWS (issue 16d: memory that grew with every call).

moto 5.2.5's `BaseModel.__new__` appends every model instance it ever makes to its class's `instances_tracked`
list, for the moto server's dashboard (`/moto-api/data.json`), and only a reset empties it. Every DynamoDB `Item`
made (each stored version, each Query result's deep copy, each update's copy of the old item), every stream
record and shard iterator, every transaction's table snapshot, every SQS message was kept alive, long after the
table, the stream or the queue had let go of it: the local stack's memory grew with every call, not with its data.

Here only S3's keys and multipart uploads are tracked (S3's reset closes their buffers through that list); the
local stack has no dashboard. tests/unit/test_moto_instances.py checks that a dropped item is freed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

#: (module, class) whose instances moto itself needs listed (S3's reset disposes of them).
TRACKED = {("moto.s3.models", "FakeKey"), ("moto.s3.models", "FakeMultipart")}


@contextmanager
def untracked() -> Iterator[None]:
    """While open, moto models other than TRACKED are not kept in `instances_tracked`."""
    from moto.core.common_models import BaseModel

    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        instance = super(BaseModel, cls).__new__(cls)
        if (cls.__module__, cls.__name__) in TRACKED:
            cls.instances_tracked.append(instance)
        return instance

    with mock.patch.object(BaseModel, "__new__", staticmethod(new)):
        yield
