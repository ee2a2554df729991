"""The team's Telegram group as a place to act: the alert's buttons and the sorry-bonus talk, recorded on the case.

- "Взять" (take) takes the case for the person who pressed it;
- "Бонус" (sorry bonus) asks the group, in a message that names the case, what the goodwill gesture is;
  a reply to that message ("такси 700", "скидка 1500") records the bonus with its kind and value;
- "Готово" (done) marks the case resolved (closing with outcome and root cause is the console's).

Every update is handled once (Powertools idempotency keyed by `update_id`, records in the table for a
day): Telegram redelivers a webhook it saw fail, and a redelivered press changes nothing. Presses from
chats the chain's policy does not name (`telegram_chat_id` of a contact) are answered and ignored.
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from clinic_reviews.domain import cases as rules
from clinic_reviews.domain.cases import Actor, CaseError
from clinic_reviews.notify.telegram import TelegramClient, TelegramError
from clinic_reviews.services.cases import CaseNotFound, CaseService
from clinic_reviews.store.cases import CaseRepository
from clinic_reviews.store.policies import PolicyRepository

logger = Logger(child=True)
ONE_DAY = 24 * 3600
_CASE_REF = re.compile(r"#([0-9a-f]{24})\b")

TEXTS = {
    "ru": {
        "taken": "Случай взят: {name}",
        "mine": "Этот случай уже ваш",
        "resolved": "Готово: случай решён. Закройте его в консоли с итогом и причиной.",
        "bonus_prompt": "Бонус по случаю #{case} ({clinic}): какой жест? Ответьте на это сообщение, например «такси 700» или «скидка 1500».",
        "bonus_asked": "Напишите жест в ответ на сообщение бота",
        "bonus_recorded": "Записано: бонус «{kind}», {value} — случай #{case}",
        "not_found": "Случай не найден",
        "unknown_chat": "Этот чат не подключён к сети клиник",
        "refused": "Не получилось: {reason}",
    },
    "en": {
        "taken": "Case taken: {name}",
        "mine": "This case is already yours",
        "resolved": "Done: the case is resolved. Close it in the console with its outcome and root cause.",
        "bonus_prompt": "Sorry bonus for case #{case} ({clinic}): what is the gesture? Reply to this message, e.g. \"taxi 700\" or \"discount 1500\".",
        "bonus_asked": "Reply to the bot's message with the gesture",
        "bonus_recorded": "Recorded: sorry bonus \"{kind}\", {value} — case #{case}",
        "not_found": "No such case",
        "unknown_chat": "This chat is not connected to the chain",
        "refused": "Not done: {reason}",
    },
}


def allowed_chats(policy, clinic_id: str) -> set[str]:
    """Chats that may act on a clinic's cases: every `telegram_chat_id` of the chain's and the clinic's contacts."""
    people = [*policy.contacts.values(), *policy.clinic(clinic_id).contacts.values()]
    return {str(p.telegram_chat_id) for p in people if p.telegram_chat_id}


class ChatService:
    def __init__(
        self,
        cases: CaseService,
        repository: CaseRepository,
        policies: PolicyRepository,
        telegram: TelegramClient,
        table_name: str,
        dynamodb_client: Any = None,
    ):
        self._cases = cases
        self._repository = repository
        self._policies = policies
        self._telegram = telegram
        layer = DynamoDBPersistenceLayer(
            table_name=table_name, key_attr="pk", sort_key_attr="sk", expiry_attr="expires_at", boto3_client=dynamodb_client
        )
        config = IdempotencyConfig(event_key_jmespath="update_id", expires_after_seconds=ONE_DAY)
        self.config = config
        self.handle = idempotent_function(data_keyword_argument="update", persistence_store=layer, config=config)(
            self._handle
        )

    def _handle(self, update: dict[str, Any]) -> dict[str, Any]:
        if isinstance(update.get("callback_query"), dict):
            return self._press(update["callback_query"])
        if isinstance(update.get("message"), dict):
            return self._message(update["message"])
        return {"ignored": "not a button press or a reply"}

    # ------------------------------------------------------------------ button presses
    def _press(self, query: dict[str, Any]) -> dict[str, Any]:
        action, _, case_id = str(query.get("data") or "").partition(":")
        chat_id = str(((query.get("message") or {}).get("chat") or {}).get("id", ""))
        actor = _actor(query.get("from") or {})
        case = self._repository.get(case_id) if len(case_id) == 24 else None
        lang = "ru"
        if case is None:
            text = TEXTS[lang]["not_found"]
        else:
            policy = self._policies.chain(case.chain_id)
            lang = policy.chain.language
            if chat_id not in allowed_chats(policy, case.clinic_id):
                text = TEXTS[lang]["unknown_chat"]
            else:
                text = self._act(action, case, actor, chat_id, policy, lang)
        self._telegram.answer_callback(str(query.get("id", "")), text)
        return {"press": action, "case": case_id if case else None, "answer": text}

    def _act(self, action: str, case, actor: Actor, chat_id: str, policy, lang: str) -> str:
        texts = TEXTS[lang]
        try:
            if action == "take":
                before = case.owner
                taken = self._cases.take(actor, case.id)
                return texts["mine"] if before == actor.id else texts["taken"].format(name=taken.owner_name)
            if action == "done":
                self._cases.resolve(actor, case.id)
                return texts["resolved"]
            if action == "bonus":
                if case.status not in (*rules.IN_HAND, rules.RESOLVED):
                    raise rules.CaseConflict("take the case first")
                clinic = policy.clinic(case.clinic_id).name
                self._telegram.send_message(chat_id, texts["bonus_prompt"].format(case=case.id, clinic=clinic), force_reply=True)
                return texts["bonus_asked"]
        except (CaseError, CaseNotFound) as exc:
            return texts["refused"].format(reason=str(exc))
        return texts["refused"].format(reason="unknown button")

    # ------------------------------------------------------------------ the sorry-bonus talk
    def _message(self, message: dict[str, Any]) -> dict[str, Any]:
        replied = message.get("reply_to_message") or {}
        found = _CASE_REF.search(str(replied.get("text") or ""))
        if not ((replied.get("from") or {}).get("is_bot") and found and message.get("text")):
            return {"ignored": "not a reply to the bot's bonus question"}
        chat_id = str((message.get("chat") or {}).get("id", ""))
        case = self._repository.get(found.group(1))
        if case is None:
            return {"ignored": "unknown case"}
        policy = self._policies.chain(case.chain_id)
        if chat_id not in allowed_chats(policy, case.clinic_id):
            return {"ignored": "unknown chat"}
        texts = TEXTS[policy.chain.language]
        actor = _actor(message.get("from") or {})
        try:
            kind, value = rules.parse_bonus(message["text"])
            self._cases.record_action(
                actor, case.id, rules.SORRY_BONUS, bonus_kind=kind, bonus_value=value, note=str(message["text"])[:200]
            )
            answer = texts["bonus_recorded"].format(kind=kind, value=value, case=case.id)
        except (CaseError, CaseNotFound) as exc:
            answer = texts["refused"].format(reason=str(exc))
        try:
            self._telegram.send_message(chat_id, answer, reply_to=message.get("message_id"))
        except TelegramError as exc:  # the bonus is recorded; a lost confirmation is not worth a redelivery
            logger.warning("bonus confirmation not sent", extra={"reason": exc.reason})
        return {"bonus": case.id, "answer": answer}


def _actor(user: dict[str, Any]) -> Actor:
    """A group member acts as a review manager of every clinic the group serves."""
    name = str(user.get("first_name") or user.get("username") or "Telegram")[:60]
    return Actor(f"tg:{user.get('id', 'unknown')}", name, rules.REVIEW_MANAGER, via="telegram")
