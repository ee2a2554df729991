"""Chain policies in the table: one JSON item per chain and a pointer item per clinic."""

from __future__ import annotations

import time
from collections.abc import Callable

from clinic_reviews.domain.policy import Clinic, Policy
from clinic_reviews.store.models import PolicyItem

PARTITION = "POLICY"


class UnknownClinic(LookupError):
    """No stored policy names this clinic."""


class PolicyRepository:
    """Stores policies and finds a clinic's; reads are cached for `ttl` seconds per container."""

    def __init__(self, ttl: float = 300.0, monotonic: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._monotonic = monotonic
        self._chains: dict[str, tuple[float, Policy]] = {}
        self._clinic_chain: dict[str, str] = {}

    def put(self, policy: Policy, updated_at: str) -> None:
        """Store a validated policy and point each of its clinics at it."""
        chain_id = policy.chain.id
        with PolicyItem.batch_write() as batch:
            batch.save(PolicyItem(PARTITION, f"CHAIN#{chain_id}", chain_id=chain_id, body=policy.to_json(), updated_at=updated_at))
            for clinic in policy.clinics:
                batch.save(PolicyItem(PARTITION, f"CLINIC#{clinic.id}", chain_id=chain_id, updated_at=updated_at))
        self._chains.pop(chain_id, None)

    def chain(self, chain_id: str) -> Policy:
        cached = self._chains.get(chain_id)
        if cached and self._monotonic() - cached[0] < self._ttl:
            return cached[1]
        try:
            item = PolicyItem.get(PARTITION, f"CHAIN#{chain_id}")
        except PolicyItem.DoesNotExist:
            raise LookupError(f"no policy stored for chain {chain_id!r}") from None
        policy = Policy.from_json(item.body)
        self._chains[chain_id] = (self._monotonic(), policy)
        for clinic in policy.clinics:
            self._clinic_chain[clinic.id] = chain_id
        return policy

    def for_clinic(self, clinic_id: str) -> tuple[Policy, Clinic]:
        chain_id = self._clinic_chain.get(clinic_id)
        if chain_id is None:
            try:
                chain_id = PolicyItem.get(PARTITION, f"CLINIC#{clinic_id}").chain_id
            except PolicyItem.DoesNotExist:
                raise UnknownClinic(f"clinic_id: unknown clinic {clinic_id!r}") from None
            self._clinic_chain[clinic_id] = chain_id
        policy = self.chain(chain_id)
        return policy, policy.clinic(clinic_id)
