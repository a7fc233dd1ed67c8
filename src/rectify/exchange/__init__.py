"""Ledger exchange: xlsx, CSV and JSON, in and out, as offices use them.

``columns`` holds the one header table; ``xlsx``, ``csv_io`` and ``json_io``
read and write the formats; ``records`` checks one row's values, ``sheet``
finds the table in a grid of cells; ``importer`` turns the records into a
plan and applies it in one transaction; ``exporter`` builds the rows from the
ledger.
Neither typer nor rich is imported here.
"""
