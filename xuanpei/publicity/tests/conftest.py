import pytest


@pytest.fixture
def national(db):
    """The national calendar (migration 0002), present even after a transactional flush."""
    from xuanpei.publicity.national import ensure_national_rules

    ensure_national_rules()
