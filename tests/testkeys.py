"""
The fake credentials every test shares, in a module with a unique name.

(``from conftest import ...`` would pick whichever conftest pytest loaded
last.)  The root ``conftest.py`` builds its ``emu`` and ``client``
fixtures from these; a test that needs its own emulator or client uses
them too, so a signature mismatch can only mean a bug.
"""

from __future__ import annotations


#: The API key pair of the emulator and of every client talking to it.
ACCESS_KEY = "AKIDTESTKEY0001"
SECRET_KEY = "test-secret-never-shown-0001"

#: The key pair of the S3-compatible test server (moto).
S3_ACCESS_KEY = "AKIDS3TEST0001"
S3_SECRET_KEY = "s3-secret-NEVER-shown-4d2b"

#: A secret key the secrets tests look for everywhere it must not be.
CANARY = "SECRET-CANARY-7f3a9c"
