"""The command line: arguments in, calls to the domain out, exit codes.

``app.build_app`` makes the application and registers every command;
``app.main`` runs it. One module a group of commands (tasks, exchange,
reports, admin, rounds, lookback), and ``common`` for what they share. This
file imports nothing, so that ``import rectify.cli.app`` stays light.
"""
