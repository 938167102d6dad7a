"""
Credentials and where they come from.

Resolution order for ``MaiuClient()`` without explicit keys:

1. ``NCLOUD_ACCESS_KEY_ID`` / ``NCLOUD_SECRET_ACCESS_KEY`` (the official
   SDKs' names);
2. ``NCLOUD_ACCESS_KEY`` / ``NCLOUD_SECRET_KEY`` (Terraform's names);
3. the ncloud CLI file ``~/.ncloud/configure`` (``ncloud_access_key_id``,
   ``ncloud_secret_access_key``): the section ``$NCLOUD_PROFILE`` names,
   else ``[DEFAULT]`` (or a file of bare ``key = value`` lines).  Never
   another section: a file whose first section is ``[prod]`` does not
   make ``prod`` the default.

An explicit profile (``profile=``, the CLI's ``--profile``) reads that
section only, ignoring the variables, as the ncloud and AWS CLIs do for
their ``--profile``.  An explicit access key (``access_key=``, the CLI's
``--access-key``) is paired with its own secret: a variable pair whose
access key is that key or unset, else the file's section holding that
key; never the secret of another key.

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
    "ENV_PROFILE",
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
#: The section of the ncloud CLI file to read, as the ncloud CLI names it.
ENV_PROFILE: Final = "NCLOUD_PROFILE"
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
#: The section the ncloud CLI writes, and reads without a profile.
DEFAULT_PROFILE = "DEFAULT"
_GIVEN = "arguments"


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
        source: Where the pair came from, in words (``"arguments"``,
            ``"environment NCLOUD_ACCESS_KEY_ID/..."``, ``"ncloud CLI
            file ... [prod]"``); not part of equality.

    .. versionchanged:: 26.1.0 *source*.

    """

    access_key: str = attrs.field()
    secret_key: str = attrs.field()
    source: str = attrs.field(default=_GIVEN, kw_only=True, eq=False)

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

    def describe(self) -> str:
        """
        Say which access key id this is and where it came from.

        For messages: the access key id is sent in every request and is
        not a secret; the secret key is never part of it.

        .. versionadded:: 26.1.0

        """
        return f"access key {self.access_key!r} from {self.source}"

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        config_file: Path | None = None,
        *,
        profile: str | None = None,
        access_key: str | None = None,
    ) -> Credentials:
        """
        Resolve credentials from the environment or the ncloud CLI file.

        Without *profile* and *access_key*: ``NCLOUD_ACCESS_KEY_ID`` /
        ``NCLOUD_SECRET_ACCESS_KEY``, then ``NCLOUD_ACCESS_KEY`` /
        ``NCLOUD_SECRET_KEY``, then the file's section named by
        ``$NCLOUD_PROFILE``, else its ``[DEFAULT]`` section.

        Args:
            environ: The environment to read; `os.environ` if omitted.
            config_file: The ncloud CLI file; ``~/.ncloud/configure`` if
                omitted.
            profile: Read this section of the file, and only it (the
                variables are not read), as ``--profile`` does in the
                ncloud CLI.
            access_key: Use this access key id, with its own secret: from
                a variable pair whose access key is this one or unset,
                else from the file's section that holds this key (within
                *profile*, if given).

        Raises:
            CredentialsNotFound: Nothing complete was found; the message
                names every place we looked.

        .. versionchanged:: 26.1.0 *profile* and *access_key*.

        """
        return resolve_credentials(
            environ, config_file, profile=profile, access_key=access_key
        )


def resolve_credentials(
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    *,
    profile: str | None = None,
    access_key: str | None = None,
) -> Credentials:
    """
    Resolve credentials; see the module docstring for the order.

    Strictly private.
    """
    env = os.environ if environ is None else environ
    path = (config_file or CONFIG_FILE).expanduser()
    searched: list[str] = []
    if profile is None:
        found = _from_environment(env, access_key, searched)
        if found is not None:
            return found
    chosen = profile or env.get(ENV_PROFILE) or None
    sections = _read_sections(path)
    found = _from_file(path, sections, chosen, access_key, searched)
    if found is not None:
        return found
    raise CredentialsNotFound(searched=tuple(searched))


def _from_environment(
    env: Mapping[str, str], access_key: str | None, searched: list[str]
) -> Credentials | None:
    for access_name, secret_name in ENV_PAIRS:
        access, secret = env.get(access_name), env.get(secret_name)
        if access_key is None:
            if access and secret:
                return Credentials(
                    access,
                    secret,
                    source=f"environment {access_name}/{secret_name}",
                )
            searched.append(f"environment {access_name}/{secret_name}")
        elif secret and access in (None, "", access_key):
            # The secret goes with the key given, or with no key at all;
            # the secret of another key would sign with the wrong pair.
            return Credentials(
                access_key,
                secret,
                source=f"environment {secret_name} (access key given)",
            )
        else:
            searched.append(
                f"environment {secret_name} (with {access_name} unset or "
                f"{access_key!r})"
            )
    return None


def _read_sections(path: Path) -> dict[str, dict[str, str]] | None:
    """
    Every section of the ncloud CLI file, each with its own keys only.

    ``None`` if the file cannot be read or parsed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    # No section inherits [DEFAULT]'s keys: a [prod] with a key id of its
    # own and no secret must not borrow the default secret.
    parser = configparser.ConfigParser(
        interpolation=None, default_section="\0no-defaults"
    )
    try:
        # The CLI writes a [DEFAULT] section; tolerate a bare key=value file.
        if not text.lstrip().startswith("["):
            text = f"[{DEFAULT_PROFILE}]\n" + text
        parser.read_string(text)
    except configparser.Error:
        return None
    return {
        name: {key: parser[name][key].strip() for key in parser[name]}
        for name in parser.sections()
    }


def _pair(
    path: Path, name: str, section: Mapping[str, str]
) -> Credentials | None:
    access = section.get(CONFIG_KEYS[0], "")
    secret = section.get(CONFIG_KEYS[1], "")
    if access and secret:
        return Credentials(
            access, secret, source=f"ncloud CLI file {path} [{name}]"
        )
    return None


def _section_name(sections: Mapping[str, object], profile: str) -> str | None:
    if profile in sections:
        return profile
    # "default" for [DEFAULT], as people type it.
    folded = [name for name in sections if name.lower() == profile.lower()]
    return folded[0] if len(folded) == 1 else None


def _from_file(
    path: Path,
    sections: dict[str, dict[str, str]] | None,
    profile: str | None,
    access_key: str | None,
    searched: list[str],
) -> Credentials | None:
    keys = "/".join(CONFIG_KEYS)
    if sections is None:
        searched.append(f"ncloud CLI file {path} ({keys}): not readable")
        return None
    if access_key is not None and profile is None:
        candidates = list(sections)
    else:
        name = _section_name(sections, profile or DEFAULT_PROFILE)
        if name is None:
            known = ", ".join(f"[{n}]" for n in sections) or "none"
            wanted = profile or DEFAULT_PROFILE
            searched.append(
                f"ncloud CLI file {path}: no profile [{wanted}] "
                f"(profiles: {known})"
            )
            return None
        candidates = [name]
    for name in candidates:
        found = _pair(path, name, sections[name])
        if found is None:
            continue
        if access_key is None:
            return found
        if found.access_key == access_key:
            return attrs.evolve(
                found, source=f"{found.source} (access key given)"
            )
    where = ", ".join(f"[{n}]" for n in candidates)
    if access_key is None:
        searched.append(f"ncloud CLI file {path} {where} ({keys})")
    else:
        searched.append(
            f"ncloud CLI file {path} {where or '(no profiles)'}: no "
            f"section with {CONFIG_KEYS[0]} = {access_key!r}"
        )
    return None
