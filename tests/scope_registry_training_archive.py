"""Scope registry entries for the 一期一档 routes (issue #12 §4).

`training:session_archive` and `training:session_signin_sheet` are object routes on
`training.TrainingSession` (its foreign object is registered with the session pages):
the meta-test finds the model from the views' `queryset`, outsiders get 404 and the
owners 200 (a zip, a PDF), so no entry is needed here. The downloads' contents are
checked in xuanpei/training/tests/test_archive.py.
"""
