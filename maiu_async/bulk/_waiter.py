"""
Waiting for imports: registered keys are polled until their import ends.

A job with `BulkOptions.wait` builds a `WaitingOutbox`: every registered
outcome (sent now, reconciled, or resumed from the journal) is held
back, its asset's import status polled by a `_poll.Poller`, and the
outcome delivered once the status is final, or once waiting ends (the
per-key timeout, a stop), carrying the status and the service's message.

Journal: the key's ``R`` line is buffered when it is registered (it is
written with the next group commit); its ``I`` line when the import is
final, before the outcome is delivered.  A resumed key whose ``I`` line
an earlier run wrote is not polled; one without (an earlier run that did
not wait, or stopped first) is.

A held outcome keeps its admission token (``_job``), so memory stays
bounded: registration slows down when imports are slower than it.

Strictly private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ..exceptions import MaiuError
from ..models import ImportState, ImportStatus
from ._journal import Journal
from ._outbox import Outbox
from ._poll import Poller, PollPolicy
from ._report import Outcome, OutcomeStatus


if TYPE_CHECKING:
    from collections.abc import Callable

    from anyio.streams.memory import MemoryObjectSendStream

    from .._client import MaiuClient
    from .._scheduler import AdaptiveLimiter
    from ._report import OutcomeHook
    from ._tally import Tally


__all__ = ["WaitingOutbox"]


class WaitingOutbox(Outbox[Outcome, Journal]):
    """
    An outbox that delivers registered keys once their import ends.
    """

    __slots__ = ("_counts", "_poller", "policy")

    def __init__(
        self,
        *,
        policy: PollPolicy,
        tally: Tally,
        tokens: int,
        on_result: OutcomeHook | None,
        out: MemoryObjectSendStream[Outcome] | None,
    ) -> None:
        super().__init__(
            tally=tally, tokens=tokens, on_result=on_result, out=out
        )
        self.policy = policy
        self._counts = tally
        self._poller: Poller[Outcome, ImportStatus] | None = None

    def start(
        self,
        client: MaiuClient,
        target: tuple[str, int],
        pacer: AdaptiveLimiter | None,
    ) -> None:
        """
        Build the poller: assets of *target* (workspace, project id).
        """
        workspace, project_id = target
        status_of = client.assets.import_status
        tally = self._counts

        async def fetch(outcome: Outcome) -> ImportStatus:
            tally.polls += 1
            assert outcome.asset_id is not None  # noqa: S101 -- registered
            return await status_of(
                workspace, project_id, outcome.asset_id, retry=None
            )

        self._poller = Poller(
            fetch=fetch,
            terminal=_final,
            on_final=self._final,
            on_unsettled=self._unsettled,
            policy=self.policy,
            pacer=pacer,
        )

    async def wait(self, fail: Callable[[BaseException], None]) -> None:
        """
        Poll until every held key is delivered and `finish` was called.

        A systemic poll failure (401, 403, 404) stops the job through
        *fail*.
        """
        poller = self._poller
        if poller is None:
            return
        try:
            await poller.run()
        except MaiuError as exc:
            fail(exc)

    def finish(self) -> None:
        """Note that no key will be registered any more."""
        if self._poller is not None:
            self._poller.close()

    def stop(self) -> None:
        """Deliver every held key now, its import not final."""
        if self._poller is not None:
            self._poller.stop()

    def settle(self, outcome: Outcome, *, journaled: bool = True) -> None:
        """
        Hold a registered *outcome* until its import ends; settle others.
        """
        if (
            outcome.status is not OutcomeStatus.REGISTERED
            or outcome.import_status is not None
        ):
            super().settle(outcome, journaled=journaled)
            return
        journal = self.journal
        if outcome.resumed and journal is not None:
            known = journal.imports.get(outcome.asset_id or 0)
            if known is not None:
                status, message = known
                super().settle(
                    attrs.evolve(
                        outcome, import_status=status, import_message=message
                    ),
                    journaled=False,
                )
                return
        if journal is not None and journaled:
            journal.record(outcome)  # the R line; resumed keys have one
        if self._poller is None:  # pragma: no cover -- started by the job
            self._unsettled(outcome, None, "not waited for")
            return
        self._poller.add(outcome)

    def _final(self, outcome: Outcome, status: ImportStatus) -> None:
        done = attrs.evolve(
            outcome,
            import_status=status.upload_status,
            import_message=status.upload_result,
        )
        if self.journal is not None:
            self.journal.record_import(done)
        super().settle(done, journaled=False)

    def _unsettled(
        self, outcome: Outcome, status: ImportStatus | None, why: str
    ) -> None:
        # The import started (the key is registered): as far as is known,
        # it is still in progress.
        last = ImportState.IN_PROGRESS
        if status is not None:
            last = status.upload_status
        super().settle(
            attrs.evolve(outcome, import_status=last, import_message=why),
            journaled=False,
        )


def _final(status: ImportStatus) -> bool:
    return status.upload_status.final
