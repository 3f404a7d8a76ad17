import pytest

from greeting import Greeting, greet


def test_greet_plain():
    assert greet("Ada") == "Hello, Ada."


def test_greet_excited_strips_whitespace():
    assert greet("  Grace ", excited=True) == "Hello, Grace!"


def test_greeting_is_frozen():
    g = Greeting("Linus")
    with pytest.raises(Exception):
        g.name = "other"


def test_empty_name_rejected():
    with pytest.raises(ValueError):
        greet("   ")
