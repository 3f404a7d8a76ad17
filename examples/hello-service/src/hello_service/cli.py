import sys
from importlib.metadata import version

import click
from rich.console import Console

from greeting import greet


@click.command()
@click.argument("name", default="world")
@click.option("--excited/--calm", default=True, help="End with an exclamation mark.")
def main(name: str, excited: bool) -> None:
    """Greet NAME from inside a PEX."""
    console = Console(highlight=False)
    console.print(greet(name, excited=excited))
    console.print(f"(python {sys.version_info[0]}.{sys.version_info[1]}, click {version('click')})")


if __name__ == "__main__":
    main()
