"""DynamoDB Streams event sources, polled in-process as Lambda polls them.

moto keeps a table's stream (dynamodbstreams: DescribeStream, GetShardIterator, GetRecords; one shard per table,
records in write order) but would hand each record to the function inside the write itself. Here a
`StreamMapping` reads the stream from its checkpoint like Lambda's poller, one batch at a time (parallelization
factor 1), and applies what template.yaml sets on the mapping:

- `FilterCriteria`: a record no pattern matches is passed over (checkpointed, never invoked);
- `FunctionResponseTypes: [ReportBatchItemFailures]`: the checkpoint stops before the lowest failed sequence
  number and the batch is retried from there;
- a function error or a reported failure is retried after a back-off on the virtual clock (1 s doubling to at most
  60 s: this runtime's choice, not a documented AWS figure), halving the batch first when
  `BisectBatchOnFunctionError` is on;
- after `MaximumRetryAttempts` retries, or once the batch is older than `MaximumRecordAgeInSeconds` on the
  virtual clock (counted from when this runtime first read it), the batch's shard and sequence range go to the
  `DestinationConfig.OnFailure` queue, as AWS sends them, and the poller moves past it.

`retention(now)` makes moto's stream keep what DynamoDB Streams keeps (issue 16d): the records of the last 24 hours
of virtual time, stamped with it (moto kept every record for ever, so its memory grew with every write, and stamped
them with the wall clock), and the last `MAX_ITERATORS` shard iterators (moto kept every one handed out; AWS's
expire after 15 minutes). A reader behind the trim horizon reads from it, as a Lambda poller does when records
were trimmed before it read them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

from clinic_reviews_local.api_calls import paused

MAX_BACKOFF = 60.0
#: What Lambda's poller does with the function's role (AWSLambdaDynamoDBExecutionRole grants them).
STREAM_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords", "dynamodb:ListStreams")
#: How long DynamoDB Streams keeps a record.
RETENTION = timedelta(hours=24)
#: Shard iterators kept (the newest); the local poller only ever uses its last one.
MAX_ITERATORS = 1_000


@dataclass
class StreamMapping:
    function: str
    stream_arn: str
    batch_size: int
    partial_failures: bool
    bisect: bool
    max_retries: int  # -1: until the record expires
    max_age: int  # seconds; -1: the stream's retention
    on_failure: str | None  # a queue ARN
    filters: list[Any] = field(default_factory=list)  # moto EventPatterns; empty: every record
    checkpoint: str | None = None  # the last sequence number done with
    attempts: int = 0
    limit: int | None = None  # the batch size after bisecting
    retry_at: datetime | None = None
    first_read: datetime | None = None
    _shard: str | None = None
    _next: tuple[str | None, str] | None = None  # (the checkpoint it reads after, GetRecords' NextShardIterator)

    @classmethod
    def of(cls, function: str, properties: dict[str, Any]) -> StreamMapping:
        from moto.events.models import EventPattern

        patterns = [f["Pattern"] for f in (properties.get("FilterCriteria") or {}).get("Filters", [])]
        return cls(
            function=function,
            stream_arn=properties["EventSourceArn"],
            batch_size=int(properties.get("BatchSize", 100)),
            partial_failures="ReportBatchItemFailures" in properties.get("FunctionResponseTypes", []),
            bisect=bool(properties.get("BisectBatchOnFunctionError")),
            max_retries=int(properties.get("MaximumRetryAttempts", -1)),
            max_age=int(properties.get("MaximumRecordAgeInSeconds", -1)),
            on_failure=((properties.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"),
            filters=[EventPattern.load(p) for p in patterns],
        )

    def poll(self, clients: Callable[[str], Any], now: datetime, invoke: Callable[[str, Any], tuple[Any, bool]]) -> bool:
        """Handle one batch if one is due; False when there is nothing to do at `now`."""
        if self.retry_at is not None and now < self.retry_at:
            return False
        if not written_after(self.stream_arn, self.checkpoint):
            return False  # nothing new: Lambda's poller would get an empty page (not read, to save the calls)
        records, shard = self._read(clients("dynamodbstreams"), self.limit or self.batch_size)
        if not records:
            return False
        wanted = [r for r in records if not self.filters or any(p.matches_event(r) for p in self.filters)]
        if not wanted:
            self._done_with(records[-1])
            return True
        self.first_read = self.first_read or now
        result, failed = invoke(self.function, {"Records": wanted})
        if not failed and self.partial_failures and isinstance(result, dict):
            lowest = _lowest(result.get("batchItemFailures") or [], records)
        else:
            lowest = None if not failed else _sequence(records[0])
        if lowest is None:
            self._done_with(records[-1])
            return True
        done = [r for r in records if int(_sequence(r)) < int(lowest)]
        if done:  # what came before the first failure is done with
            self._done_with(done[-1], keep_retrying=True)
        self._retry_later(clients("sqs"), now, [r for r in records if r not in done], shard, bisect=failed)
        return True

    # ------------------------------------------------------------------ internals
    def _read(self, streams: Any, limit: int) -> tuple[list[dict[str, Any]], str]:
        """Up to `limit` records after the checkpoint (the last read's NextShardIterator when it still fits)."""
        with paused():
            if self._shard is None:
                description = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
                self._shard = description["Shards"][0]["ShardId"]
            if self._next is not None and self._next[0] == self.checkpoint:
                iterator = self._next[1]
            else:
                where = (
                    {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self.checkpoint}
                    if self.checkpoint
                    else {"ShardIteratorType": "TRIM_HORIZON"}
                )
                iterator = streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=self._shard, **where)["ShardIterator"]
            answer = streams.get_records(ShardIterator=iterator, Limit=limit)
        records = answer["Records"]
        after = records[-1]["dynamodb"]["SequenceNumber"] if records else self.checkpoint
        self._next = (after, answer["NextShardIterator"])
        return [_as_event(r, self.stream_arn) for r in records], self._shard

    def _done_with(self, record: dict[str, Any], keep_retrying: bool = False) -> None:
        self.checkpoint = _sequence(record)
        if not keep_retrying:
            self.attempts, self.limit, self.retry_at, self.first_read = 0, None, None, None

    def _retry_later(self, sqs: Any, now: datetime, batch: list[dict[str, Any]], shard: str, bisect: bool) -> None:
        self.attempts += 1
        expired = self.max_age >= 0 and (now - self.first_read).total_seconds() > self.max_age
        if (self.max_retries >= 0 and self.attempts > self.max_retries) or expired:
            self._give_up(sqs, now, batch, shard, "RecordAgeExceeded" if expired else "RetryAttemptsExhausted")
            return
        if bisect and self.bisect and len(batch) > 1:
            self.limit = max(1, len(batch) // 2)
        self.retry_at = now + timedelta(seconds=min(MAX_BACKOFF, 2.0 ** (self.attempts - 1)))

    def _give_up(self, sqs: Any, now: datetime, batch: list[dict[str, Any]], shard: str, reason: str) -> None:
        """What Lambda sends the on-failure destination of a stream: where the batch was, not its records."""
        if self.on_failure is not None:
            info = {
                "shardId": shard,
                "startSequenceNumber": _sequence(batch[0]),
                "endSequenceNumber": _sequence(batch[-1]),
                "approximateArrivalOfFirstRecord": now.isoformat(),
                "approximateArrivalOfLastRecord": now.isoformat(),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            }
            body = {
                "requestContext": {"condition": reason, "approximateInvokeCount": self.attempts},
                "timestamp": now.isoformat(),
                "DDBStreamBatchInfo": info,
            }
            with paused():
                url = sqs.get_queue_url(QueueName=self.on_failure.rsplit(":", 1)[-1])["QueueUrl"]
                sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
        self._done_with(batch[-1])


def last_sequence(stream_arn: str) -> str | None:
    """The sequence number of the last record in moto's stream (None: empty), read from the emulator's state."""
    from moto.dynamodb.models import dynamodb_backends

    _, _, _, region, account, resource = stream_arn.split(":", 5)
    shard = dynamodb_backends[account][region].get_table(resource.split("/")[1]).stream_shard
    return shard.items[-1].record["dynamodb"]["SequenceNumber"] if shard is not None and shard.items else None


def written_after(stream_arn: str, checkpoint: str | None) -> bool:
    """Whether the stream holds a record after `checkpoint` (any record when None): an idle poll costs no API call."""
    last = last_sequence(stream_arn)
    return last is not None and (checkpoint is None or int(last) > int(checkpoint))


def _sequence(record: dict[str, Any]) -> str:
    return record["dynamodb"]["SequenceNumber"]


def _lowest(failures: list[dict[str, Any]], records: list[dict[str, Any]]) -> str | None:
    """The lowest failed sequence number; an identifier that is not one fails the whole batch, as on AWS."""
    if not failures:
        return None
    identifiers = [str(f.get("itemIdentifier", "")) for f in failures]
    if not all(i.isdigit() for i in identifiers):
        return _sequence(records[0])
    return str(min(int(i) for i in identifiers))


def _as_event(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda passes it (eventSourceARN added; times as epoch seconds)."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": change, "eventSourceARN": stream_arn}


@contextmanager
def retention(now: Callable[[], datetime]) -> Iterator[None]:
    """While open, moto's table streams keep 24 hours of records (virtual time) and the newest shard iterators."""
    from moto.dynamodb.models.table import StreamShard
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

    def virtual_now() -> datetime:
        return now().astimezone(UTC).replace(tzinfo=None)  # naive UTC, as moto stamps records

    def add(shard: Any, old: Any, new: Any) -> None:
        original_add(shard, old, new)
        moment = virtual_now()
        shard.items[-1].record["dynamodb"]["ApproximateCreationDateTime"] = moment
        trim(shard, moment - RETENTION)

    def get(shard: Any, start: int, quantity: int) -> list[dict[str, Any]]:
        return original_get(shard, max(start, shard.starting_sequence_number), quantity)

    def get_shard_iterator(backend: Any, *args: Any, **kwargs: Any) -> Any:
        iterator = original_iterator(backend, *args, **kwargs)
        _keep_newest(backend.shard_iterators)
        return iterator

    def read(iterator: Any, limit: int = 1000) -> dict[str, Any]:
        answer = original_read(iterator, limit)
        _keep_newest(iterator.streams_backend.shard_iterators)
        return answer

    original_add, original_get = StreamShard.add, StreamShard.get
    original_iterator, original_read = DynamoDBStreamsBackend.get_shard_iterator, ShardIterator.get
    with ExitStack() as patches:
        patches.enter_context(mock.patch.object(StreamShard, "add", add))
        patches.enter_context(mock.patch.object(StreamShard, "get", get))
        patches.enter_context(mock.patch.object(DynamoDBStreamsBackend, "get_shard_iterator", get_shard_iterator))
        patches.enter_context(mock.patch.object(ShardIterator, "get", read))
        yield


def trim(shard: Any, horizon: datetime) -> int:
    """Drop the shard's records written before `horizon` (its sequence numbers stay as they were); how many."""
    records, old = shard.items, 0
    while old < len(records) and records[old].record["dynamodb"]["ApproximateCreationDateTime"] < horizon:
        old += 1
    if old:
        del records[:old]
        shard.starting_sequence_number += old
    return old


def _keep_newest(iterators: dict[str, Any]) -> None:
    while len(iterators) > MAX_ITERATORS:
        del iterators[next(iter(iterators))]
