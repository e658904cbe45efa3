"""An enterprise account finds its 三项岗位 roster import from the menu on a phone (issue #8 §3).

No typed URL: log in, open the collapsed menu, follow 持证 → 导入花名册, upload a
small valid roster (built with core.imports.testing in the template's columns),
read the preview, commit, and find the people and certificates in the database.
"""

import datetime

import pytest

from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.core.validators import id_check_char
from xuanpei.workforce.choices import CertificateKindCode
from xuanpei.workforce.models import Certificate, Person, Post
from xuanpei.workforce.roster.plan import HEADERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def id_number(body17: str) -> str:
    return body17 + id_check_char(body17)


def roster_rows(enterprise) -> list[list]:
    issued = (datetime.date.today() - datetime.timedelta(days=200)).isoformat()
    people = [
        ("赵安全", "61019919850307123", "安全生产管理人员", "安全生产知识和管理能力考核合格证", "")
    ]
    people.append(("钱焊工", "61019919900511456", "特种作业人员", "特种作业操作证", "1.2"))
    rows = [HEADERS]
    for name, body, post, kind, item in people:
        idn = id_number(body)
        values = {
            "企业统一社会信用代码": enterprise.uscc,
            "企业名称": enterprise.name,
            "姓名": name,
            "身份证号": idn,
            "手机号": "13900001111",
            "岗位": post,
            "证书类型": kind,
            "作业类别": item.split(".")[0] if item else "",
            "操作项目": item,
            "证书编号": ("T" + idn) if item else f"AQ{body[-8:]}",
            "初领日期": issued,
            "发证日期": issued,
            "有效期至": "",
            "应复审日期": "",
            "实际复审日期": "",
            "发证机关": "测试市应急管理局",
        }
        rows.append([values.get(h, "") for h in HEADERS])
    return rows


def test_an_enterprise_user_finds_the_roster_import_in_the_phone_menu_and_uploads(
    district, workforce_dictionaries, page, login, shot, tmp_path
):
    page.set_viewport_size(PHONE)
    login("enterprise")
    shot("menu-enterprise-390-closed")
    page.click("button.navbar-toggler")
    page.locator("#mainnav").wait_for(state="visible")
    page.click("#mainnav [data-nav-module='持证']")
    shot("menu-enterprise-390-open")
    with page.expect_navigation():
        page.click("#mainnav >> text=导入花名册（三项岗位）")
    assert page.url.endswith("/workforce/roster/import/")
    shot("roster-import-enterprise-390")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")

    upload = tmp_path / "三项岗位花名册.xlsx"
    upload.write_bytes(xlsx_bytes(roster_rows(district.ent_a1)))
    page.set_input_files("#id_file", str(upload))
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=确认导入")
    shot("roster-preview-enterprise-390")
    assert not Person.objects.filter(
        name__in=["赵安全", "钱焊工"]
    ).exists()  # a preview writes nothing
    page.click("text=确认导入")
    page.wait_for_selector(".alert-success")
    shot("roster-committed-enterprise-390")

    people = Person.objects.filter(name__in=["赵安全", "钱焊工"])
    assert people.count() == 2
    assert Post.objects.filter(person__in=people, enterprise=district.ent_a1).count() == 2
    certs = Certificate.objects.filter(
        holder__in=people, enterprise=district.ent_a1, is_current=True
    )
    assert set(certs.values_list("kind_id", flat=True)) == {
        CertificateKindCode.SAFETY_COMPETENCE,
        CertificateKindCode.SPECIAL_OPERATION,
    }
    assert set(certs.values_list("issuing_authority", flat=True)) == {"测试市应急管理局"}
