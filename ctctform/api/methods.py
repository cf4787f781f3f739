"""get/paginate/activities/halt on top of `request`: shared by the Client and the partner
proxy, so both answer the same interface (`kinds.base.ApiLike`)."""

from __future__ import annotations

import time
from typing import Any

from ctctform.api import activities, paging
from ctctform.api.errors import AnswerError
from ctctform.api.stats import Stats
from ctctform.api.transport import Gate, Params

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})


def is_idempotent(method: str, override: bool | None) -> bool:
    return method in IDEMPOTENT_METHODS if override is None else override


class ApiMethods:
    """get/paginate/activities on top of `request`; shared by Client and the partner proxy."""

    stats: Stats
    gate: Gate

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params = None,
        *,
        idempotent: bool | None = None,
    ) -> Any:
        raise NotImplementedError

    def poll_settings(self) -> activities.PollSettings:
        raise NotImplementedError

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def get(self, path: str, params: Params = None) -> Any:
        return self.request("GET", path, params=params)

    def paginate(
        self,
        path: str,
        item_key: str,
        limit: int | None = None,
        params: Params = None,
        *,
        max_pages: int | None = None,
    ) -> list[Any]:
        """Every item of a collection, at most `max_pages` pages (AnswerError beyond)."""
        query = dict(params) if isinstance(params, dict) else None
        return paging.collect(self.get, path, item_key, limit, query, max_pages)

    def run_activity(self, path: str, body: Any) -> dict[str, Any]:
        """POST a bulk activity and wait for `completed` (ActivityError otherwise).

        Bulk deletes are marked idempotent: deleting the same ids twice is harmless, so a
        dropped answer is retried instead of being reported as ambiguous.
        """
        started = self.request("POST", path, json=body, idempotent=True)
        return self.wait_activity(started, origin=f"POST {path}")

    def wait_activity(self, activity: Any, origin: str = "activity") -> dict[str, Any]:
        """Wait for an activity already started (e.g. the 202 of DELETE /contact_lists/{id})."""
        return activities.wait_for(activity, self.get, self.poll_settings(), origin, self.sleep)

    def halt(self, reason: str) -> None:
        """Start nothing new: every later request of this client (or account) is refused."""
        self.gate.halt(reason)

    def account_summary(self) -> dict[str, Any]:
        """GET /account/summary, checked: the account the credentials open."""
        summary = self.get("/account/summary")
        if not isinstance(summary, dict) or not isinstance(summary.get("encoded_account_id"), str):
            raise AnswerError("GET /account/summary: the answer has no encoded_account_id")
        return summary
