"""The bulk roster import's write paths (issue #3 point 5).

plan.py     columns, look-up tables and the per-row check: cells → one staging tuple
stage.py    the staging table: PostgreSQL COPY (pg.py) or batched INSERTs (generic.py)
upsert.py   set-based SQL over the staging table: in-file duplicates, existing
            records, created/updated/unchanged per row, the writes and their audit batch rows

The importer (`workforce/importers.py`) streams the file through `plan`, loads
every clean row into a temporary table, and lets the database do the rest in a
few statements, whatever the number of rows.
"""
