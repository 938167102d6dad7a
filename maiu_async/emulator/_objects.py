"""
The Object Storage existence check: one ``HEAD`` per registered key.

Registering never waits for it, as with the real service: the handler
only queues the asset (`ObjectChecker.submit`), a few worker tasks
answer the queue, and the asset's import status stays ``IN_PROGRESS``
until its check is done.  Asking for that status (or for the asset, or
to analyse it) checks a pending asset at once (`ObjectChecker.settle`),
so a client polling one asset never waits behind thousands of others.
With no workers (``concurrency=0``) that is the only way a check
happens: a bulk import then costs the store nothing until statuses are
asked for.

aiobotocore is imported only here, and only when the knob is set, so
the emulator itself needs no S3 client.

Strictly private.
"""

from __future__ import annotations

import asyncio
import contextlib

from typing import TYPE_CHECKING, Any

from aiohttp import web

from maiu_async.exceptions import UsageError

from ._assets import (
    OBJECT_FAILED,
    OBJECT_FOUND,
    OBJECT_MISSING,
    OBJECT_PENDING,
)


if TYPE_CHECKING:
    from ._assets import AssetRecord
    from ._config import EmulatorConfig, ObjectStorageCheck


__all__ = ["OBJECTS", "ObjectChecker"]

_NOT_FOUND = 404


class ObjectChecker:
    """
    Checks registered keys against an S3-compatible store.

    Strictly private.
    """

    __slots__ = ("_client", "_config", "_queue", "_stack", "_workers")

    def __init__(self, config: EmulatorConfig) -> None:
        if config.object_storage is None:
            raise UsageError("no object_storage configured")
        self._config = config
        self._client: Any = None
        self._queue: asyncio.Queue[AssetRecord] = asyncio.Queue()
        self._stack = contextlib.AsyncExitStack()
        self._workers: list[asyncio.Task[None]] = []

    def __repr__(self) -> str:
        return f"<ObjectChecker pending={self._queue.qsize()}>"

    @property
    def _settings(self) -> ObjectStorageCheck:
        settings = self._config.object_storage
        assert settings is not None  # noqa: S101 -- checked in __init__
        return settings

    async def start(self) -> None:
        """
        Open the S3 client and start the workers.

        Raises:
            UsageError: aiobotocore is not installed.

        """
        try:
            from aiobotocore.config import AioConfig  # noqa: PLC0415
            from aiobotocore.session import get_session  # noqa: PLC0415
        except ImportError:
            raise UsageError(
                "the Object Storage check needs aiobotocore: "
                "pip install 'maiu-async[s3]'"
            ) from None
        s = self._settings
        access = s.access_key or self._config.access_key
        secret = s.secret_key or self._config.secret_key
        self._client = await self._stack.enter_async_context(
            get_session().create_client(
                "s3",
                endpoint_url=s.endpoint,
                region_name=s.region,
                aws_access_key_id=access,
                aws_secret_access_key=secret,
                config=AioConfig(
                    s3={"addressing_style": "path"},
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                    # One retry: a check should not keep a poller waiting.
                    retries={"total_max_attempts": 2, "mode": "standard"},
                    max_pool_connections=max(s.concurrency, 4),
                ),
            )
        )
        self._workers = [
            asyncio.create_task(self._work(), name="maiu-emulator-head")
            for _ in range(s.concurrency)
        ]

    async def stop(self) -> None:
        """
        Stop the workers (pending checks stay pending) and the client.
        """
        workers, self._workers = self._workers, []
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await self._stack.aclose()

    def submit(self, asset: AssetRecord) -> None:
        """
        Mark *asset* pending and queue its check.
        """
        asset.object_check = OBJECT_PENDING
        if self._workers:
            self._queue.put_nowait(asset)

    async def settle(self, asset: AssetRecord) -> None:
        """
        Check *asset* now if its check is still pending.
        """
        if asset.object_check == OBJECT_PENDING and self._client is not None:
            await self._check(asset)

    async def _work(self) -> None:
        while True:
            asset = await self._queue.get()
            # Settled already by a status request: skip it.
            if asset.object_check == OBJECT_PENDING:
                await self._check(asset)

    async def _check(self, asset: AssetRecord) -> None:
        from botocore.exceptions import (  # noqa: PLC0415 -- see start
            BotoCoreError,
            ClientError,
            ParamValidationError,
        )

        try:
            head = await self._client.head_object(
                Bucket=asset.bucket_name, Key=asset.key
            )
        except ClientError as exc:
            meta = (exc.response or {}).get("ResponseMetadata") or {}
            found = (
                OBJECT_MISSING
                if meta.get("HTTPStatusCode") == _NOT_FOUND
                else OBJECT_FAILED
            )
        except ParamValidationError:
            # A bucket name no store could have: the file cannot exist.
            found = OBJECT_MISSING
        except (BotoCoreError, OSError, TimeoutError):
            found = OBJECT_FAILED
        else:
            found = OBJECT_FOUND
            size = head.get("ContentLength")
            if isinstance(size, int):
                asset.object_size = size
        # A status request may have settled it meanwhile: same answer.
        if asset.object_check == OBJECT_PENDING:
            asset.object_check = found


#: The Object Storage check; absent unless configured.
OBJECTS = web.AppKey("objects", ObjectChecker)
