"""Friendly greetings: the example library that hello-service depends on."""

from greeting.core import Greeting, greet

__all__ = ["Greeting", "greet"]
