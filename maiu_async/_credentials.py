"""
Credentials and where they come from.

Resolution order for ``MaiuClient()`` without explicit keys:

1. ``NCLOUD_ACCESS_KEY_ID`` / ``NCLOUD_SECRET_ACCESS_KEY`` (the official
   SDKs' names);
2. ``NCLOUD_ACCESS_KEY`` / ``NCLOUD_SECRET_KEY`` (Terraform's names);
3. the ncloud CLI file ``~/.ncloud/configure`` (``ncloud_access_key_id``,
   ``ncloud_secret_access_key``), default profile first.

The secret never appears in a repr, a message or a traceback.

This module is also the one home of every environment variable's name
the package reads (the ``ENV_*`` constants below): the client, the
storage source, the CLI and the emulator name them from here.

Strictly private.
"""

from __future__ import annotations

import configparser
import os

from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from .exceptions import CredentialsNotFound, UsageError


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = [
    "ENV_ACCESS_KEY",
    "ENV_ACCESS_KEY_ID",
    "ENV_AWS_SECRET_ACCESS_KEY",
    "ENV_EMULATOR_ACCESS_KEY",
    "ENV_EMULATOR_S3_ACCESS_KEY",
    "ENV_EMULATOR_S3_SECRET_KEY",
    "ENV_EMULATOR_SECRET_KEY",
    "ENV_ENDPOINT",
    "ENV_PAIRS",
    "ENV_S3_ACCESS_KEY",
    "ENV_S3_ENDPOINT",
    "ENV_S3_REGION",
    "ENV_S3_SECRETS",
    "ENV_S3_SECRET_KEY",
    "ENV_SECRET_ACCESS_KEY",
    "ENV_SECRET_KEY",
    "Credentials",
    "resolve_credentials",
]

# -- the API's keys and endpoint -------------------------------------------

#: The NCP access key id, as the official SDKs name it.
ENV_ACCESS_KEY_ID: Final = "NCLOUD_ACCESS_KEY_ID"
#: Its secret key, as the official SDKs name it.
ENV_SECRET_ACCESS_KEY: Final = "NCLOUD_SECRET_ACCESS_KEY"  # noqa: S105 -- a name
#: The NCP access key, as Terraform names it.
ENV_ACCESS_KEY: Final = "NCLOUD_ACCESS_KEY"
#: Its secret key, as Terraform names it.
ENV_SECRET_KEY: Final = "NCLOUD_SECRET_KEY"  # noqa: S105 -- a name
#: Access / secret pairs, in the order they are tried.
ENV_PAIRS: Final = (
    (ENV_ACCESS_KEY_ID, ENV_SECRET_ACCESS_KEY),
    (ENV_ACCESS_KEY, ENV_SECRET_KEY),
)
#: Another API base URL (an emulator, say).
ENV_ENDPOINT: Final = "MAIU_ENDPOINT"

# -- Object Storage (the CLI's listing options) ----------------------------

#: The Object Storage endpoint to list.
ENV_S3_ENDPOINT: Final = "MAIU_S3_ENDPOINT"
#: Its region name.
ENV_S3_REGION: Final = "MAIU_S3_REGION"
#: An Object Storage access key other than the API's.
ENV_S3_ACCESS_KEY: Final = "MAIU_S3_ACCESS_KEY"
#: Its secret, read from the environment only (never the command line).
ENV_S3_SECRET_KEY: Final = "MAIU_S3_SECRET_KEY"  # noqa: S105 -- a name
#: The same secret under the name AWS tools use.
ENV_AWS_SECRET_ACCESS_KEY: Final = "AWS_SECRET_ACCESS_KEY"  # noqa: S105
#: Where that secret is looked for, in order.
ENV_S3_SECRETS: Final = (ENV_S3_SECRET_KEY, ENV_AWS_SECRET_ACCESS_KEY)

# -- the bundled emulator's command line -----------------------------------

#: The key pair the emulator accepts.
ENV_EMULATOR_ACCESS_KEY: Final = "MAIU_EMULATOR_ACCESS_KEY"
#: Its secret.
ENV_EMULATOR_SECRET_KEY: Final = "MAIU_EMULATOR_SECRET_KEY"  # noqa: S105
#: The key pair the emulator's Object Storage check uses.
ENV_EMULATOR_S3_ACCESS_KEY: Final = "MAIU_EMULATOR_S3_ACCESS_KEY"
#: Its secret.
ENV_EMULATOR_S3_SECRET_KEY: Final = "MAIU_EMULATOR_S3_SECRET_KEY"  # noqa: S105
CONFIG_FILE = Path("~/.ncloud/configure")
CONFIG_KEYS = ("ncloud_access_key_id", "ncloud_secret_access_key")


def _redact(key: str) -> str:
    return f"{key[:4]}…" if len(key) > 8 else "…"


@attrs.frozen(repr=False)
class Credentials:
    """
    An NCP API access key and its secret key.

    The repr shows the start of the access key and never the secret.

    Attributes:
        access_key: The access key id (sent in every request).
        secret_key: The secret key (used only to sign; never sent).

    """

    access_key: str = attrs.field()
    secret_key: str = attrs.field()

    @access_key.validator
    @secret_key.validator
    def _check(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not value.strip():
            # The value itself may be a secret: name the field only.
            raise UsageError(f"credentials: {attribute.name} is empty")

    def __repr__(self) -> str:
        return (
            f"Credentials(access_key={_redact(self.access_key)!r}, "
            "secret_key='***')"
        )

    def __getstate__(self) -> None:
        # Refuse pickling: a pickle is a copy of the secret on disk.
        raise TypeError("Credentials cannot be pickled")

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        config_file: Path | None = None,
    ) -> Credentials:
        """
        Resolve credentials from the environment or the ncloud CLI file.

        Args:
            environ: The environment to read; `os.environ` if omitted.
            config_file: The ncloud CLI file; ``~/.ncloud/configure`` if
                omitted.

        Raises:
            CredentialsNotFound: Nothing complete was found; the message
                names every place we looked.

        """
        return resolve_credentials(environ, config_file)


def resolve_credentials(
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Credentials:
    """
    Resolve credentials; see the module docstring for the order.

    Strictly private.
    """
    env = os.environ if environ is None else environ
    searched: list[str] = []
    for access_name, secret_name in ENV_PAIRS:
        access, secret = env.get(access_name), env.get(secret_name)
        if access and secret:
            return Credentials(access, secret)
        searched.append(f"environment {access_name}/{secret_name}")
    path = (config_file or CONFIG_FILE).expanduser()
    found = _from_config_file(path)
    if found is not None:
        return found
    searched.append(f"ncloud CLI file {path} ({'/'.join(CONFIG_KEYS)})")
    raise CredentialsNotFound(searched=tuple(searched))


def _from_config_file(path: Path) -> Credentials | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        # The CLI writes a [DEFAULT] section; tolerate a bare key=value file.
        if not text.lstrip().startswith("["):
            text = "[DEFAULT]\n" + text
        parser.read_string(text)
    except configparser.Error:
        return None
    sections = [parser.defaults(), *(parser[s] for s in parser.sections())]
    for section in sections:
        access = section.get(CONFIG_KEYS[0], "").strip()
        secret = section.get(CONFIG_KEYS[1], "").strip()
        if access and secret:
            return Credentials(access, secret)
    return None
