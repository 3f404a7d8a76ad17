from importlib import resources

import attrs


@attrs.frozen
class Greeting:
    """A greeting for one person, with the salutation read from package data."""

    name: str
    excited: bool = False

    def render(self) -> str:
        salutation = resources.files("greeting").joinpath("salutation.txt").read_text().strip()
        return f"{salutation}, {self.name}{'!' if self.excited else '.'}"


def greet(name: str, excited: bool = False) -> str:
    if not name.strip():
        raise ValueError("name must not be empty")
    return Greeting(name.strip(), excited).render()
