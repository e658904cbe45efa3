"""Imports raise the cyclic collector's threshold while they run (core/imports/base.py),
and two imports overlapping in threads leave it as it was before either began."""

import gc
import threading

from xuanpei.core.imports.base import _fewer_collections


def test_overlapping_imports_restore_the_threshold_once_the_last_is_done():
    before = gc.get_threshold()
    first_in, second_done, first_may_leave = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with _fewer_collections():
            seen["first"] = gc.get_threshold()
            first_in.set()
            first_may_leave.wait(5)

    def second():
        first_in.wait(5)
        with _fewer_collections():
            seen["second"] = gc.get_threshold()
        seen["after_second"] = gc.get_threshold()  # the first still runs
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    second_done.wait(5)
    first_may_leave.set()
    for t in threads:
        t.join(5)

    raised = (max(before[0], 50_000), *before[1:])
    assert seen == {"first": raised, "second": raised, "after_second": raised}
    assert gc.get_threshold() == before


def test_the_first_import_to_finish_does_not_lower_it_under_one_still_running():
    before = gc.get_threshold()
    raised = (max(before[0], 50_000), *before[1:])
    first, second = _fewer_collections(), _fewer_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold() == raised  # the second import still runs
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before
