from click.testing import CliRunner

from hello_service.cli import main


def test_default_greets_world_excited():
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 0
    assert "Hello, world!" in result.output


def test_calm_greeting():
    result = CliRunner().invoke(main, ["Ada", "--calm"])
    assert result.exit_code == 0
    assert "Hello, Ada." in result.output
