"""The command-line interface: thin Typer sub-apps that parse, call one service, and print."""
