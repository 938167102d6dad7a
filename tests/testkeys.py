"""
The fake credentials every test shares, in a module with a unique name.

(``from conftest import ...`` would pick whichever conftest pytest loaded
last.)
"""

from __future__ import annotations


ACCESS_KEY = "AKIDTESTKEY0001"
SECRET_KEY = "test-secret-never-shown-0001"
