"""Training (issue #12). The schema is designed later; the legal rules live in
`rules.py` / `minimums.py` and the quarterly grid-officer rule in `quarters.py`."""
