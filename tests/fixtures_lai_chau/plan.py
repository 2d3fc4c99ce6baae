"""The provincial plan itself, recorded as a plan (issue 14): what it foresees, and which acts
carried each item out.

A plan's items are not facts: the structure on a date never includes them (ADR 0008). The plan's
section 2.1 reports changes already made ("đã hoàn thành"); its section 2.2 orders five đề án and
four further tasks; section 1 sets the one deadline the plan states (10/4/2025); section 4 states
the staffing targets. Each item cites the plan's section and indent (the plan has no numbered
articles). Lead bodies are given only where the plan names them; the plan names no coordinating
bodies.

The implementing acts are named by title (their numbers are not known, except 1670/NQ-UBTVQH15
and 1676-QĐ/TU): ``generate.py`` passes the documents it writes, so a title here is always the
title recorded.
"""

from __future__ import annotations

from typing import Any

PLAN_TITLE = ("Kế hoạch của Tỉnh ủy Lai Châu về tiếp tục sắp xếp, tinh gọn tổ chức bộ máy của hệ "
              "thống chính trị (thực hiện các Kết luận số 121-KL/TW, 126-KL/TW, 127-KL/TW, "
              "134-KL/TW)")
PLAN_EFFECTIVE = "2025-04-01"
PLAN_NOTE = (
    "The plan as the project's copy gives it (shared/seed/000_78b23282844b4077.txt): its number "
    "and date are not in the copy. It reports the changes of its section 2.1 as completed (the "
    "first of them operating from 01/3/2025, per Quyết định 1676-QĐ/TU) and sets 10/4/2025 as a "
    "deadline still to come, so it was adopted between those days; 2025-04-01 is a stand-in that "
    "only places it in time. Items whose implementing act is recorded link to it; an item with "
    "no recorded act keeps the status the plan gives it, which says nothing about whether it was "
    "done later. Staffing targets are recorded on the provincial People's Committee, where the "
    "province's civil-service and public-employee posts are managed; the plan sets them for the "
    "whole political system of the province.")
PROGRESS_NOTE = (
    "Not an act of the province: the registry's record of which recorded act carried out each "
    "item of the plan, dated by that act's effective date. Where the implementing act's own date "
    "is a stand-in, so is this one.")

TINH_UY = {"name": "Tỉnh ủy Lai Châu", "type": "tỉnh ủy"}
UBND_TINH = {"name": "Ủy ban nhân dân tỉnh Lai Châu", "type": "ủy ban nhân dân"}
S = "Kế hoạch, mục "


def _item(id_: str, title: str, status: str, clause: str, *, lead: dict[str, Any] | None = None,
          deadline: str | None = None, acts: list[str] | None = None,
          note: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": id_, "title": title}
    if deadline is not None:
        body["deadline"] = deadline
    if lead is not None:
        body["lead"] = lead
    body["status"] = status
    if acts:
        body["acts"] = [_act(a) for a in acts]
    change: dict[str, Any] = {"clause": clause, "plan_item": body}
    if note is not None:
        change["note"] = note
    return change


def _act(title_or_number: str) -> dict[str, str]:
    if "/" in title_or_number and len(title_or_number) < 40:
        return {"number": title_or_number}
    return {"title": title_or_number}


def plan_act(titles: dict[str, str]) -> dict[str, Any]:
    """The plan; ``titles`` maps the short names below to the titles of the fixture acts that
    carried out its section 2.1 (all recorded before it)."""
    done = "done"
    items = [
        _item("1.1", "Tổ chức Hội nghị trực tiếp kết hợp với trực tuyến từ tỉnh đến cơ sở quán "
              "triệt, học tập các Kết luận số 121-KL/TW, 126-KL/TW, 127-KL/TW", done,
              S + "1, ý 1", lead=TINH_UY,
              note="The plan says 'đã hoàn thành'; no act of it is recorded."),
        _item("1.2", "Các cấp ủy, tổ chức đảng, cơ quan, đơn vị tiếp tục nghiên cứu, quán triệt "
              "các Kết luận của Trung ương và Kế hoạch của Tỉnh ủy", "in_progress",
              S + "1, ý 2", deadline="2025-04-10",
              note="'hoàn thành trước ngày 10/4/2025': the only deadline the plan states."),
        _item("2.1.1", "Kết thúc hoạt động các đảng đoàn, ban cán sự đảng cấp tỉnh, Đảng bộ Khối "
              "các cơ quan và doanh nghiệp tỉnh; thành lập Đảng bộ các cơ quan Đảng tỉnh và Đảng "
              "bộ Ủy ban nhân dân tỉnh", done, S + "2.1, cơ quan đảng, đoàn thể, ý 1",
              acts=[titles["party"]]),
        _item("2.1.2", "Hợp nhất Ban Tuyên giáo Tỉnh ủy và Ban Dân vận Tỉnh ủy; hợp nhất ban "
              "tuyên giáo và ban dân vận của các huyện ủy, thành ủy", done,
              S + "2.1, cơ quan đảng, đoàn thể, ý 2",
              acts=["1676-QĐ/TU", titles["district_boards"]]),
        _item("2.1.3", "Giải thể các công đoàn ngành, thành lập Công đoàn các cơ quan Đảng tỉnh, "
              "Công đoàn Ủy ban nhân dân tỉnh; sáp nhập ban chuyên môn thuộc Liên đoàn Lao động "
              "tỉnh", done, S + "2.1, cơ quan đảng, đoàn thể, ý 3", acts=[titles["unions"]]),
        _item("2.1.4", "Hợp nhất các sở (Tài chính, Nông nghiệp và Môi trường, Khoa học và Công "
              "nghệ, Nội vụ, Xây dựng); thành lập Sở Dân tộc và Tôn giáo", done,
              S + "2.1, cơ quan chuyên môn thuộc UBND cấp tỉnh, cấp huyện, ý 1",
              acts=[titles["departments"]]),
        _item("2.1.5", "Tiếp nhận Cục Quản lý thị trường tỉnh Lai Châu từ Bộ Công Thương và tổ "
              "chức lại thành Chi cục Quản lý thị trường thuộc Sở Công Thương", done,
              S + "2.1, cơ quan chuyên môn thuộc UBND cấp tỉnh, cấp huyện, ý 2",
              acts=[titles["market"]]),
        _item("2.1.6", "Hợp nhất, thành lập các phòng chuyên môn thuộc Ủy ban nhân dân cấp huyện",
              done, S + "2.1, cơ quan chuyên môn thuộc UBND cấp tỉnh, cấp huyện, ý 3",
              acts=[titles["district_offices"]]),
        _item("2.1.7", "Sắp xếp lại tổ chức bộ máy công an địa phương, không tổ chức công an cấp "
              "huyện", done, S + "2.1, công an địa phương", acts=[titles["police"]]),
        _item("2.2(1)", "Đề án không tổ chức đơn vị hành chính cấp huyện và sắp xếp, tổ chức lại "
              "đơn vị hành chính cấp xã", "planned", S + "2.2, đề án (1)"),
        _item("2.2(2)", "Đề án kết thúc hoạt động đảng bộ huyện, thành phố; thành lập đảng bộ xã, "
              "phường trực thuộc Tỉnh ủy", "planned", S + "2.2, đề án (2)"),
        _item("2.2(3)", "Đề án sắp xếp, tinh gọn cơ quan Mặt trận Tổ quốc Việt Nam, tổ chức chính "
              "trị - xã hội, các hội quần chúng do Đảng và Nhà nước giao nhiệm vụ (cấp tỉnh và "
              "cấp xã)", "planned", S + "2.2, đề án (3)"),
        _item("2.2(4)", "Đề án sáp nhập Đài Phát thanh - Truyền hình tỉnh vào Báo Lai Châu thuộc "
              "Tỉnh ủy", "planned", S + "2.2, đề án (4)"),
        _item("2.2(5)", "Đề án sắp xếp hệ thống cơ quan thanh tra tinh, gọn, mạnh, hiệu năng, "
              "hiệu lực, hiệu quả", "planned", S + "2.2, đề án (5)"),
        _item("2.2.2", "Rà soát, sắp xếp tinh gọn tổ chức bộ máy bên trong của các cơ quan, đơn "
              "vị, tổ chức", "planned", S + "2.2, ý 2"),
        _item("2.2.3", "Sắp xếp, tổ chức lại các đơn vị sự nghiệp công lập theo Nghị định số "
              "120/2020/NĐ-CP", "planned", S + "2.2, ý 3"),
        _item("2.2.4", "Tiếp nhận các tổ chức cơ sở đảng thuộc đảng bộ các tập đoàn, tổng công "
              "ty, doanh nghiệp về trực thuộc cấp ủy địa phương theo địa bàn hoạt động sản xuất, "
              "kinh doanh", "planned", S + "2.2, ý 4"),
        _item("2.2.5", "Tiếp tục rà soát, kết thúc hoạt động các ban chỉ đạo (chỉ giữ lại những "
              "ban chỉ đạo có chức năng, nhiệm vụ thực sự cần thiết)", "planned", S + "2.2, ý 5"),
        _item("4.3", "Xây dựng kế hoạch quản lý biên chế cán bộ, công chức, viên chức giai đoạn "
              "2026-2031: giảm tối thiểu 20% công chức, viên chức hưởng lương từ ngân sách nhà "
              "nước; chọn cử khoảng 5% đi công tác ở cơ sở; vị trí chuyên môn, nghiệp vụ chiếm "
              "tỉ lệ ít nhất 65% đội ngũ viên chức", "planned", S + "4, ý 3"),
    ]
    targets = [
        {"clause": S + "4, ý 3", "staffing_target": {
            "unit": UBND_TINH, "measure": "quota",
            "category": "công chức, viên chức hưởng lương từ ngân sách nhà nước",
            "change_percent": -20,
            "description": "giảm tối thiểu 20% công chức, viên chức hưởng lương từ ngân sách "
                           "nhà nước (theo Công văn số 31/CVBCĐTKNQ18 ngày 04/01/2025 của Ban Chỉ "
                           "đạo Chính phủ), trong kế hoạch quản lý biên chế giai đoạn 2026-2031; "
                           "the plan states no baseline date"}},
        {"clause": S + "4, ý 3", "staffing_target": {
            "unit": UBND_TINH, "measure": "in_post",
            "category": "cán bộ, công chức, viên chức đi công tác ở cơ sở",
            "description": "chọn cử khoảng 5% cán bộ, công chức, viên chức trong biên chế của "
                           "các cơ quan, tổ chức, đơn vị đi công tác ở cơ sở (theo Nghị định số "
                           "178/2024/NĐ-CP): a share to be posted, not a change in numbers"}},
        {"clause": S + "4, ý 3", "staffing_target": {
            "unit": UBND_TINH, "measure": "in_post",
            "category": "viên chức ở vị trí chuyên môn, nghiệp vụ",
            "description": "vị trí chuyên môn, nghiệp vụ chiếm tỉ lệ ít nhất 65% đội ngũ viên "
                           "chức: a share of the workforce, not a change in numbers"}},
    ]
    return {"act": {
        "number": None, "kind": "plan", "issuer": "Tỉnh ủy Lai Châu", "signed": None,
        "effective": PLAN_EFFECTIVE, "effective_stand_in": True, "title": PLAN_TITLE,
        "url": None, "verified": False, "note": PLAN_NOTE}, "changes": items + targets}


def progress_act(on: str, stand_in: bool, items: list[tuple[str, list[str]]]) -> dict[str, Any]:
    """The registry's record that the acts named carried out these items of the plan."""
    return {"act": {
        "number": None, "kind": "other", "issuer": None, "signed": None, "effective": on,
        **({"effective_stand_in": True} if stand_in else {}),
        "title": f"Thực hiện {PLAN_TITLE}: các hạng mục hoàn thành ngày {on}",
        "url": None, "verified": False, "note": PROGRESS_NOTE},
        "changes": [{"plan_status": {"plan": {"title": PLAN_TITLE}, "item": item,
                                     "status": "done", "acts": [_act(a) for a in acts]}}
                    for item, acts in items]}
