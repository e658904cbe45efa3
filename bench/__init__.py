"""Benchmarks of issue #3 (roster import, district 持证率). Run `python -m bench.run --help`.

Results are ratios against a limit measured in the same run on the same machine,
written to docs/benchmarks.md by `bench.report`. Nothing here is a timed test.
"""
