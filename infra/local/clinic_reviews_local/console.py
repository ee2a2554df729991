"""The case console locally: the demo's cases worked through the API, the queue's screenshot, `make console`.

- `work_cases(aws, policy, out)`: what `make demo` does after the replay: signs in as the demo users and,
  through the deployed CasesFunction's HTTP API, takes a few open cases, approves replies, records a
  call and a sorry bonus, closes some (outcome, root cause) and leaves the rest open (overdue ones among
  them); writes `cases.json`. Then the demo takes `console.png` (`screenshot_queue`: the queue in headless
  Chromium, when a browser is there) and, while Chromium renders it, writes `next-digest.html`
  (`write_next_digest`: the digest of the day the cases were worked, with its case block).
- `python -m clinic_reviews_local.console --out out/demo --port 8480` (`make console`): restores the
  demo's state into a fresh local stack (one-click demo sign-in on, the demo users in the local user pool), serves the console on 127.0.0.1 with the clock
  running in real time from the demo's end, prints the URL and the demo users; on Ctrl-C it saves the
  state back and writes `next-digest.html` for the day you worked in.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from clinic_reviews_local.api_calls import paused
from clinic_reviews_local.http import LocalHttpServer

DEFAULT_PORT = 8480
HOST = "127.0.0.1"


def token_for(aws, policy, user_id: str) -> str:
    """A demo user's ID token from the local user pool (the users are created on first use)."""
    from clinic_reviews_local.users import add_demo_users, sign_in

    add_demo_users(aws, policy)  # only those not there yet
    return sign_in(aws, user_id)


def api(aws, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json", "host": "localhost"}
    status, _, data = aws.http("CasesFunction", method, path, None if body is None else json.dumps(body), headers)
    return status, json.loads(data or b"null")


#: What the demo does with the first open cases of the queue (the rest stay open).
SCRIPT = (
    ("review_manager", [("reply", {}), ("close", {"outcome": "patient_satisfied", "root_cause": {
        "topic": "front_desk", "systemic": True, "fix_note": "Скрипт ответа на звонки и разбор с администраторами"}})]),
    ("head_of_client_service", [("action", {"kind": "patient_called", "note": "Извинились, договорились о повторном приёме"}),
                                ("action", {"kind": "sorry_bonus", "bonus_kind": "taxi", "bonus_value": 700}),
                                ("close", {"outcome": "rating_raised", "root_cause": {"topic": "scheduling", "systemic": False}})]),
    ("review_manager", [("action", {"kind": "patient_called"}),
                        ("close", {"outcome": "no_response", "root_cause": {"topic": "waiting", "systemic": False}})]),
    ("review_manager", [("reply", {})]),
)


def work_cases(aws, policy, out: Path, act: bool = True) -> dict[str, Any]:
    """Drive cases through the API (only cases still `new` are touched); `act=False` only reports the queue.

    The demo acts on its first run only: a re-run re-fetches and must change nothing that happened.
    """
    director = token_for(aws, policy, "director")
    queue = _queue(aws, director) if act else []
    fresh = [row for row in queue if row["case"]["status"] == "new" and not (row["case"]["private"] or row["case"]["legal"])]
    steps: list[dict[str, Any]] = []
    for row, (user, plan) in zip(fresh, SCRIPT):
        case_id = row["case"]["id"]
        token = token_for(aws, policy, user)
        for kind, body in [("take", None), *plan]:
            if kind == "reply":
                path, payload = f"/api/cases/{case_id}/reply", {"by_hand": row["case"]["source"] != "google", **body}
            elif kind == "action":
                path, payload = f"/api/cases/{case_id}/actions", body
            else:
                path, payload = f"/api/cases/{case_id}/{kind}", body
            code, answer = api(aws, token, "POST", path, payload)
            if kind == "reply" and code == 502:  # the platform did not take it: post by hand, as the page offers
                steps.append({"case": case_id, "user": user, "step": kind, "status": code, "message": answer.get("message")})
                code, answer = api(aws, token, "POST", path, {**payload, "by_hand": True})
            steps.append({"case": case_id, "user": user, "step": kind, "status": code,
                          **({"message": answer.get("message")} if code >= 400 and isinstance(answer, dict) else {})})
    queue = _queue(aws, director)
    result = {
        "worked": len(steps),
        "steps": steps,
        "open": len(queue),
        "overdue": sum(1 for row in queue if row["overdue"]),
        "closed_now": sum(1 for s in steps if s["step"] == "close" and s["status"] == 200),
    }
    (out / "cases.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result


def _queue(aws, token: str) -> list[dict[str, Any]]:
    """The open cases as the API lists them to the token's user."""
    status, queue = api(aws, token, "GET", "/api/cases")
    if status != 200:
        raise RuntimeError(f"GET /api/cases answered {status}: {queue}")
    return queue


def write_next_digest(aws, policy, out: Path) -> Path:
    """The digest of the chain's current local day: what the next morning's digest will say (case block included)."""
    from clinic_reviews.handlers import digest as digest_handler

    day = aws.clock.now().astimezone(ZoneInfo(policy.chain.timezone)).date()
    with paused():
        _, email = digest_handler.services().service.build(policy.chain.id, day)
    path = out / "next-digest.html"
    path.write_text(email.html, encoding="utf-8")
    return path


def screenshot_queue(aws, policy, out: Path):
    """`console.png`: the queue as the director sees it on a laptop, in headless Chromium (a `browser.Shot`:
    its `result()` says why not)."""
    from clinic_reviews_local.browser import screenshot

    cookie = {"name": "cr_session", "value": token_for(aws, policy, "director")}
    return screenshot(aws, {"/": "CasesFunction"}, "/console", out / "console.png", {"width": 1100, "height": 900},
                      cookies=[cookie])


# ------------------------------------------------------------------------------------------ make console
class LiveServer(LocalHttpServer):
    """The console on localhost; before each request the virtual clock catches up with real time."""

    def __init__(self, aws, routes: dict[str, str], port: int):
        super().__init__(aws, routes, port)
        self._origin = aws.clock.now()
        self._started = time.monotonic()
        self._live = threading.Lock()

    def dispatch(self, method, path, body, headers):
        with self._live:
            self._aws.advance_to(self._origin + timedelta(seconds=time.monotonic() - self._started))
            return super().dispatch(method, path, body, headers)


def serve(out: Path, port: int, policy_path: Path | None = None) -> int:
    from clinic_reviews.console.auth import dev_users
    from clinic_reviews.domain.policy import load_policy

    from clinic_reviews_local.demo import bundled_paths
    from clinic_reviews_local.stack import LocalStack
    from clinic_reviews_local.state import load_state, save_state

    warnings.filterwarnings("ignore", message="No application metrics to publish")  # local: metrics are off
    state = load_state(out)
    if state is None:
        print(f"console: no demo state in {out} — run `make demo` first", file=sys.stderr)
        return 2
    policy = load_policy(policy_path or bundled_paths()[1])
    with LocalStack(start=state.end, dev_login=True) as aws:
        state.restore(aws)
        aws.put_policy(policy)
        with LiveServer(aws, {"/a/": "AckFunction", "/telegram": "TelegramFunction", "/": "CasesFunction"}, port) as server:
            print(f"console: {server.url}/console  (API {server.url}/api/cases, OpenAPI {server.url}/openapi.json)")
            print(f"console: local clock starts at {state.end.isoformat()} (the demo's end) and runs in real time")
            print("console: demo users (sign in on the page, local only):")
            for user in dev_users(policy):
                clinics = "all clinics" if "*" in user.clinics else ", ".join(user.clinics)
                print(f"  {user.id:34} {user.name} — {user.role}, {clinics}")
            print("console: Ctrl-C saves the state and writes next-digest.html")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
        end = max(aws.clock.now(), state.end)
        digest = write_next_digest(aws, policy, out)
        save_state(out, aws, state.start, end)
        print(f"\nconsole: state saved; the digest of the day you worked: {digest}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clinic_reviews_local.console", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="the demo's output folder (its state)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on {HOST} (default {DEFAULT_PORT})")
    parser.add_argument("--policy", type=Path, help="the chain policy (default: samples/demo-policy.yaml)")
    args = parser.parse_args(argv)
    return serve(args.out, args.port, args.policy)


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["main", "screenshot_queue", "serve", "work_cases"]
