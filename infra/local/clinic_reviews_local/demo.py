"""`clinic-reviews demo`: the whole system on a file of reviews, in the embedded local AWS.

A first run replays the file on the virtual clock: every review reaches the intake queue when it was
written (plus the polling delay), every clinic reply when it was posted, every edit when it was seen;
escalation deadlines fire in between; at 08:00 in the chain's zone the digest schedule runs. A later
run on the same output folder restores the stored state and fetches the whole file again, as a
re-poll of the platforms would: nothing already stored is written again and nothing is sent twice.
docs/demo.md describes every output file.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from clinic_reviews_local.api_calls import COUNTER
from clinic_reviews_local.browser import started_early
from clinic_reviews_local.chart_process import chart_process
from clinic_reviews_local.demo_input import InputError, InputFile, default_policy, read_input
from clinic_reviews_local.feedback_demo import report_screenshot, run_feedback_step
from clinic_reviews_local.outputs import DemoOutputs
from clinic_reviews_local.reports import write_insights, write_report
from clinic_reviews_local.sample_platforms import LOCAL_CREDENTIALS, SamplePlatforms
from clinic_reviews_local.stack import LocalStack
from clinic_reviews_local.state import load_state, save_state
from clinic_reviews_local.template import project_root

POLL_DELAY = timedelta(minutes=5)
REPLAY_DAYS = 3
BATCH = 10
DIGEST_HOUR = 8


class DemoError(RuntimeError):
    """The demo cannot run (bad policy, unreadable input): one line for the user."""


@dataclass(order=True)
class Arrival:
    at: datetime
    line: int
    review: dict[str, Any] = field(compare=False)


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def plan_arrivals(reviews: list[tuple[int, dict[str, Any]]], start: datetime) -> list[Arrival]:
    """When each review, reply and edit reaches the system: written/seen + poll delay, never before start."""
    arrivals = []
    for number, review in reviews:
        seen = _moment(review.get("seen_at")) or _moment(review.get("created_at"))
        at = max((seen + POLL_DELAY) if seen else start, start)
        reply = review.get("reply") if isinstance(review.get("reply"), dict) else None
        replied = _moment(reply.get("created_at")) if reply else None
        payload = _as_shown(review)
        if reply and replied and replied + POLL_DELAY > at:
            arrivals.append(Arrival(at, number, {**payload, "reply": None}))
            arrivals.append(Arrival(replied + POLL_DELAY, number, payload))
        else:
            arrivals.append(Arrival(at, number, payload))
    return sorted(arrivals)


def refetch_arrivals(reviews: list[tuple[int, dict[str, Any]]], at: datetime) -> list[Arrival]:
    """A re-poll at `at`: every review once, as the platform shows it now (the last line of each key)."""
    latest: dict[tuple, tuple[int, dict[str, Any]]] = {}
    for number, review in reviews:
        key = (review.get("clinic_id"), review.get("source"), str(review.get("external_id")))
        latest[key] = (number, review)
    return [Arrival(at, n, _as_shown(r)) for n, r in sorted(latest.values(), key=lambda x: x[0])]


def _as_shown(review: dict[str, Any]) -> dict[str, Any]:
    """The review as a platform shows it: `seen_at` is the demo's schedule, not a field of the review."""
    return {k: v for k, v in review.items() if k != "seen_at"}


def replay_window(data: InputFile, policy) -> tuple[datetime, datetime]:
    """(start, end) of a first replay: REPLAY_DAYS up to the first digest after the input's latest moment."""
    latest = max(
        (m for _, r in data.reviews for m in (_moment(r.get("created_at")), _moment(r.get("seen_at")),
         _moment((r.get("reply") or {}).get("created_at") if isinstance(r.get("reply"), dict) else None)) if m),
        default=datetime.now(UTC).replace(microsecond=0),
    )
    end = digest_moment(latest, policy.chain.timezone)
    return end - timedelta(days=REPLAY_DAYS), end


def digest_moment(after: datetime, timezone: str) -> datetime:
    """The first 08:00 in the chain's zone after `after`."""
    local = after.astimezone(ZoneInfo(timezone))
    candidate = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(UTC)


class Demo:
    """`policy_path` None: the file's clinics become a default policy's, in `timezone` (demo_input.py)."""

    def __init__(self, reviews_path: Path, out: Path, policy_path: Path | None, timezone: str | None = None):
        self.reviews_path = reviews_path
        self.out = out
        self.policy_path = policy_path
        self.timezone = timezone

    def _input_and_policy(self) -> tuple[InputFile, Any, list[str] | None]:
        from clinic_reviews.domain.policy import PolicyError, load_policy

        try:
            data = read_input(self.reviews_path)
        except InputError as exc:
            raise DemoError(str(exc)) from None
        if self.policy_path is None:
            made = data.clinic_ids()
            try:
                return data, default_policy(made, self.timezone), made
            except PolicyError as exc:
                raise DemoError(f"default policy: {exc}") from None
        try:
            policy = load_policy(self.policy_path)
        except (PolicyError, OSError) as exc:
            raise DemoError(f"policy {self.policy_path}: {exc}") from None
        data.keep_clinics({clinic.id for clinic in policy.clinics})
        return data, policy, None

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        data, policy, made_clinics = self._input_and_policy()
        state = load_state(self.out)
        start, end = (state.start, state.end) if state else replay_window(data, policy)
        outputs = DemoOutputs(self.out, policy, resumed=state is not None)
        chain = {"ChainId": policy.chain.id, "ChainTimezone": policy.chain.timezone}  # the schedules target this chain
        chain |= policy.retention.stack_parameters()  # S3 lifecycle rules keep what the policy says
        # Chromium (for the two screenshots at the end) starts in the background while the stack deploys and replays;
        # the report's chart helper (chart_process.py) imports matplotlib on the other core while the demo replays
        with started_early(shots=2), LocalStack(start=start, parameters=chain) as aws, chart_process() as charts, \
                outputs.function_logs():
            if state:
                state.restore(aws)
            aws.put_policy(policy)
            tap = outputs.tap_events(aws)
            COUNTER.reset()
            arrivals = refetch_arrivals(data.reviews, end) if state else plan_arrivals(data.reviews, start)
            intake = self._replay(aws, arrivals, outputs, tap, policy)
            aws.advance_to(end, on_step=lambda: outputs.collect(aws, tap))
            digest_day = (end.astimezone(ZoneInfo(policy.chain.timezone)) - timedelta(days=1)).date()
            digest_result = aws.run_schedule(schedule_for(aws, "DigestFunction"))
            outputs.collect(aws, tap)
            calls = COUNTER.snapshot()
            days = [start.date() + timedelta(days=i) for i in range((end.date() - start.date()).days + 2)]
            stored = outputs.write_reviews(aws, policy, days)
            outputs.write_escalations(aws, stored)
            outputs.write_digest(aws, digest_result)  # as the function rendered it for `digest_day`, from its archive
            write_report(self.out, policy.chain.id, digest_day, draw=charts.draw)  # report.html (+ report/*.png)
            # post-visit SMS and feedback.png (docs/feedback.md); Chromium renders the page while the demo goes on
            feedback = run_feedback_step(aws, policy, self.out, end)
            outputs.collect(aws, tap)
            data.rejected += intake["rejected"]
            cases = self._cases(aws, policy, act=state is None)  # the case console, through its API (docs/cases.md)
            # insights.json: systemic problems and the quality of the replies of the replay (docs/insights.md)
            write_insights(self.out, policy.chain.id, digest_day, start.astimezone(ZoneInfo(policy.chain.timezone)).date(),
                           end.astimezone(ZoneInfo(policy.chain.timezone)).date())
            self._screenshots_done(feedback, cases)
            outputs.collect(aws, tap)  # the events of the case step and of the pages' own requests
            summary = outputs.write_summary(
                input_lines=data.lines,
                rejected=sorted(data.rejected, key=lambda r: r["line"]),
                intake=intake,
                digest=digest_result,
                calls=calls,
                window={"start": start, "end": end, "digest_day": digest_day},
                wall_seconds=round(time.monotonic() - started, 2),
            )
            summary["cases"] = cases
            if made_clinics is not None:
                summary["default_policy"] = {"timezone": policy.chain.timezone, "clinics": made_clinics}
            (self.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
            save_state(self.out, aws, start, end)
        return summary

    def _cases(self, aws: LocalStack, policy, act: bool) -> dict[str, Any]:
        from clinic_reviews_local.console import screenshot_queue, work_cases, write_next_digest

        result = work_cases(aws, policy, self.out, act=act)
        result["shot"] = screenshot_queue(aws, policy, self.out)  # Chromium renders it while the demo goes on:
        write_next_digest(aws, policy, self.out)  # next-digest.html reads the same cases
        return result

    def _screenshots_done(self, feedback: dict[str, Any], cases: dict[str, Any]) -> None:
        """Wait for the screenshots Chromium took while the demo went on; their pages' own requests (the feedback
        page's "seen") reach the stack now."""
        report_screenshot(feedback)
        shot = cases.pop("shot")
        reason = shot.result()
        cases["screenshot"], cases["screenshot_skipped"] = (None, reason) if reason else (str(shot.target), None)

    def _replay(self, aws: LocalStack, arrivals: list[Arrival], outputs: DemoOutputs, tap, policy) -> dict[str, Any]:
        """Deliver arrivals in time order: Google and 2GIS reviews through the scheduled fetch from the
        sample platforms, the rest to the intake as imports; collect what the system sends."""
        platforms = SamplePlatforms(policy)
        aws.serve_http(self._platform_link(platforms.fake.transport()))
        aws.put_secret("SourcesSecret", LOCAL_CREDENTIALS)
        fetch_schedule = schedule_for(aws, "FetchFunction")
        totals: Counter[str] = Counter()
        rejected: list[dict[str, Any]] = []
        index = 0
        while index < len(arrivals):
            moment = arrivals[index].at
            group = []
            while index < len(arrivals) and arrivals[index].at == moment:
                group.append(arrivals[index])
                index += 1
            aws.advance_to(moment, on_step=lambda: outputs.collect(aws, tap))
            on_platform = [a for a in group if platforms.serves(a.review)]
            imported = [a for a in group if a not in on_platform]
            for arrival in on_platform:  # what the platforms show now; one scheduled poll reads it all
                platforms.publish(arrival.review)
            for start in range(0, len(imported), BATCH):
                batch = imported[start : start + BATCH]
                report = self._import(aws, [a.review for a in batch])
                for name in ("new", "changed", "unchanged"):
                    totals[name] += report.get(name, 0)
                for item in report.get("rejected", []) + report.get("failed", []) + report.get("quarantined", []):
                    rejected.append({"line": batch[item["index"]].line, "reason": item["reason"]})
            if on_platform or not totals["fetches"]:
                fetched = self._poll(aws, fetch_schedule)
                totals["fetches"] += 1
                totals["fetch_failures"] += fetched["failed"]
                for name in ("new", "changed", "unchanged"):
                    totals[name] += fetched[name]
            outputs.collect(aws, tap)
        unique = {}
        for item in rejected:
            unique.setdefault(item["line"], item)
        return {**totals, "deliveries": len(arrivals), "via_fetch": platforms.published, "rejected": list(unique.values())}


    def _platform_link(self, transport):
        """The network between the fetch function and the sample platforms (chaos puts faults on it)."""
        return transport

    def _import(self, aws: LocalStack, reviews: list[dict[str, Any]]) -> dict[str, Any]:
        """Hand a batch of imported reviews to the intake; its report (new, changed, rejected, ...)."""
        return aws.invoke("IntakeFunction", {"reviews": reviews})

    def _poll(self, aws: LocalStack, fetch_schedule: str) -> dict[str, Any]:
        """One scheduled poll of the platforms; the fetch function's report."""
        return aws.run_schedule(fetch_schedule)


def schedule_for(aws: LocalStack, function_logical_id: str) -> str:
    """The logical id of the (first) Scheduler schedule that targets a function."""
    arn = aws.stack.resources[function_logical_id].attributes["Arn"]
    for schedule in aws.stack.of_type("AWS::Scheduler::Schedule"):
        if schedule.properties["Target"]["Arn"] == arn:
            return schedule.logical_id
    raise DemoError(f"template.yaml has no schedule for {function_logical_id}")


def bundled_paths() -> tuple[Path, Path]:
    root = project_root()
    return root / "samples" / "reviews.jsonl", root / "samples" / "demo-policy.yaml"


def run_demo(reviews: Path | None, out: Path, policy: Path | None, timezone: str | None = None) -> dict[str, Any]:
    """The bundled sample with its policy; a user's file with `policy`, or with a default policy."""
    sample_reviews, sample_policy = bundled_paths()
    if reviews is None:
        return Demo(sample_reviews, out, policy or sample_policy).run()
    return Demo(reviews, out, policy, timezone).run()


__all__ = ["run_demo", "DemoError", "plan_arrivals", "read_input", "digest_moment", "replay_window", "date"]
