"""The team's Telegram group: the alert with the case's buttons (the escalation's `chat` channel), the webhook's
secret token, idempotent presses, the sorry-bonus talk recorded on the case, and 429s honoured on the way out."""

from __future__ import annotations

import pytest

from .conftest import review

GROUP = "-1001234567890"


@pytest.fixture
def team_policy(policy):
    from clinic_reviews.domain.policy import load_policy

    data = policy.to_data()
    data["contacts"]["team_chat"] = {"name": "Команда клиентского сервиса", "telegram_chat_id": GROUP}
    data["ladder"][0]["notify"].append({"contact": "team_chat", "channels": ["chat"]})
    return load_policy(data)


@pytest.fixture
def group(stack_at, team_policy):
    from .conftest import START

    with stack_at(START, team_policy) as aws:
        aws.invoke("IntakeFunction", {"reviews": [review()]})
        yield aws


def press(message: dict, action: str, update_id: int, user: int = 42, chat: str = GROUP) -> dict:
    case_id = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb-{update_id}", "from": {"id": user, "first_name": "Ирина"}, "data": f"{action}:{case_id}",
            "message": {"message_id": message["message_id"], "chat": {"id": int(chat)}},
        },
    }


def case_of(message: dict):
    from clinic_reviews import compose
    from clinic_reviews.settings import get_settings

    case_id = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    return compose.Table(get_settings()).cases.get(case_id)


def test_the_alert_reaches_the_group_with_take_bonus_done(group):
    [alert] = group.telegram.sent
    assert alert["chat_id"] == GROUP
    assert alert["text"].startswith("Негатив 1★ Яндекс Карты, Здоровье на Арбате")
    assert "Иванова" not in alert["text"]
    assert [b["text"] for b in alert["reply_markup"]["inline_keyboard"][0]] == ["Взять", "Бонус", "Готово"]
    assert len(group.sent_sms()) == 1  # the review manager's SMS as before


def test_the_webhook_refuses_updates_without_telegrams_secret_token(group):
    [alert] = group.telegram.sent
    for secret in ("", "guess", group.telegram.webhook_secret(group) + "x"):
        status, _ = group.telegram.webhook(group, press(alert, "take", 1), secret=secret)
        assert status == 401
    assert case_of(alert).status == "new" and group.telegram.answers == []
    assert group.telegram.webhook(group, {"hello": "world"})[0] == 400


def test_a_press_is_handled_once_and_answered(group):
    [alert] = group.telegram.sent
    update = press(alert, "take", 10)
    assert group.telegram.webhook(group, update) == (200, b"ok")
    assert group.telegram.webhook(group, update) == (200, b"ok")  # Telegram redelivers
    assert group.telegram.answers == [{"callback_query_id": "cb-10", "text": "Случай взят: Ирина"}]
    case = case_of(alert)
    assert (case.status, case.owner, case.version) == ("taken", "tg:42", 1)
    # another member pressing "take" is told who has it
    group.telegram.webhook(group, press(alert, "take", 11, user=43))
    assert group.telegram.answers[-1]["text"].startswith("Не получилось: the case is already taken by Ирина")
    from clinic_reviews import compose
    from clinic_reviews.settings import get_settings

    assert [(e.event, e.via) for e in compose.Table(get_settings()).cases.log(case.id)] == [
        ("case.opened", "system"), ("case.taken", "telegram"),
    ]


def test_the_sorry_bonus_talk_and_done(group):
    [alert] = group.telegram.sent
    group.telegram.webhook(group, press(alert, "take", 20))
    group.telegram.webhook(group, press(alert, "bonus", 21))
    question = group.telegram.sent[-1]
    assert question["chat_id"] == GROUP and question["reply_markup"] == {"force_reply": True, "selective": True}
    assert "какой жест" in question["text"]
    reply = {
        "update_id": 22,
        "message": {
            "message_id": 500, "from": {"id": 43, "first_name": "Олег"}, "chat": {"id": int(GROUP)},
            "text": "такси до филиала на Тверской, 700",
            "reply_to_message": {"message_id": question["message_id"], "from": {"id": 1, "is_bot": True},
                                 "text": question["text"]},
        },
    }
    group.telegram.webhook(group, reply)
    group.telegram.webhook(group, reply)  # redelivered: recorded once
    case = case_of(alert)
    [bonus] = [a for a in case.actions if a.kind == "sorry_bonus"]
    assert (bonus.bonus_kind, bonus.bonus_value, bonus.by, bonus.by_name) == ("taxi", 700, "tg:43", "Олег")
    assert group.telegram.sent[-1]["text"] == f"Записано: бонус «taxi», 700 — случай #{case.id}"
    group.telegram.webhook(group, press(alert, "done", 23))
    assert case_of(alert).status == "resolved"
    assert group.telegram.answers[-1]["text"].startswith("Готово: случай решён")


def test_presses_from_another_chat_are_ignored(group):
    [alert] = group.telegram.sent
    group.telegram.webhook(group, press(alert, "take", 30, chat="-100999"))
    assert case_of(alert).status == "new"
    assert group.telegram.answers[-1]["text"] == "Этот чат не подключён к сети клиник"


def test_a_429_on_the_alert_is_waited_out_and_sent_once(stack_at, team_policy):
    from .conftest import START

    with stack_at(START, team_policy) as aws:
        aws.telegram.fail_next(429, retry_after=2, times=2)
        aws.invoke("IntakeFunction", {"reviews": [review()]})
        assert len(aws.telegram.sent) == 1
        assert aws.telegram.calls == ["sendMessage"] * 3
        assert aws.telegram.sleeps == [2.0, 2.0]
