"""Documents the office sends: the supervision notice (督办通知, PDF) and the progress report to the district
committee and government (工作进展情况报告, PDF or Excel), laid out as a government office sends them:
issuing body in red, document number, title, addressee, body, signature and date."""

from __future__ import annotations

import io
from datetime import date

from zhishui.core.pdf import cjk_font

from .models import Meeting, ReformPlan, Research, SupervisionNotice
from .progress import overview

RED = "#c00000"
STATUS_ZH = {"done": "已完成", "in_progress": "推进中", "at_risk": "存在风险", "not_started": "未启动",
             "overdue": "逾期未完成"}
NUMERALS = "一二三四五六七八九十"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def office_name(plan: ReformPlan) -> str:
    return f"{plan.task_force_name}办公室" if plan.task_force_name else "工作专班办公室"


def _styles():
    from reportlab.lib.colors import HexColor
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    font = cjk_font()
    base = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK", firstLineIndent=24)
    return {
        "body": base,
        "plain": ParagraphStyle("plain", parent=base, firstLineIndent=0),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12, firstLineIndent=0),
        "head": ParagraphStyle("head", parent=base, fontSize=20, leading=28, alignment=TA_CENTER, firstLineIndent=0,
                               textColor=HexColor(RED)),
        "number": ParagraphStyle("number", parent=base, alignment=TA_CENTER, firstLineIndent=0),
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=26, alignment=TA_CENTER, firstLineIndent=0,
                                spaceBefore=10, spaceAfter=10),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=22, firstLineIndent=0, spaceBefore=8),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT, firstLineIndent=0),
    }


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _header(story, styles, issuer: str, number: str):
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import HRFlowable, Paragraph, Spacer

    story += [Paragraph(_esc(issuer), styles["head"]), Spacer(1, 6), Paragraph(_esc(number), styles["number"]),
              HRFlowable(width="100%", thickness=1.5, color=HexColor(RED), spaceBefore=4, spaceAfter=8)]


def _build(story, title: str, author: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buf = io.BytesIO()
    font = cjk_font()

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=30 * mm,
                            bottomMargin=25 * mm, title=title, author=author, subject=title, creator="zhishui")
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buf.getvalue()


def _table(rows, widths, styles):
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [[Paragraph(_esc(c), styles["small"]) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, HexColor("#808080")),
                               ("BACKGROUND", (0, 0), (-1, 0), HexColor("#eeeeee")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


# --------------------------------------------------------------------------------------------------
# 督办通知


def notice_pdf(notice: SupervisionNotice) -> bytes:
    from reportlab.platypus import Paragraph, Spacer

    plan = notice.plan
    a = notice.assignment
    d = a.deliverable
    styles = _styles()
    story: list = []
    _header(story, styles, office_name(plan), notice.number)
    story.append(Paragraph("督办通知", styles["title"]))
    story.append(Paragraph(f"{_esc(a.unit.name)}：", styles["plain"]))
    if d.task_id:
        source = f"《{plan.title}》（{plan.number}）第{d.task.number}项任务“{d.task.title}”"
    else:
        source = f"{d.meeting.title}议定事项"
    when = (f"已于{_cn_date(d.due_on)}到期，尚未报送完成情况" if d.due_on < notice.issued_on
            else f"将于{_cn_date(d.due_on)}到期")
    intro = f"根据{source}及工作专班督办制度，你单位承担的以下事项{when}，现予督办。"
    story.append(Paragraph(_esc(intro), styles["body"]))
    story.append(Paragraph(f"事项：{_esc(d.text)}", styles["body"]))
    story.append(Paragraph(f"完成时限：{_cn_date(d.due_on)}；你单位职责：{'牵头' if a.role == 'lead' else '负责'}；"
                           f"当前状态：{STATUS_ZH.get(a.status, a.status)}。", styles["body"]))
    story.append(Paragraph(f"督办要求：{_esc(notice.text)}", styles["body"]))
    story.append(Paragraph(
        f"请于{_cn_date(notice.reply_due)}前，将完成情况和佐证材料（包括印发的文件等）通过智税平台报送工作专班办公室。",
        styles["body"]))
    story += [Spacer(1, 30), Paragraph(_esc(office_name(plan)), styles["right"]),
              Paragraph(_cn_date(notice.issued_on), styles["right"])]
    return _build(story, f"督办通知 {notice.number}", office_name(plan))


# --------------------------------------------------------------------------------------------------
# 工作进展情况报告


def report_title(plan: ReformPlan) -> str:
    return f"关于{plan.title.removesuffix('的工作方案').removesuffix('工作方案')}工作进展情况的报告"


def report_content(plan: ReformPlan, as_of: date) -> dict:
    """The report's text and tables, shared by the PDF and the Excel file."""
    data = overview(plan, as_of)
    t = data["totals"]
    meetings = list(Meeting.objects.filter(plan=plan, held_on__lte=as_of).prefetch_related("decisions"))
    decisions = [d for m in meetings for d in m.decisions.all()]
    research = Research.objects.filter(plan=plan, conducted_on__lte=as_of).count()
    notices = SupervisionNotice.objects.filter(plan=plan, issued_on__lte=as_of).count()
    c = t.counts
    summary = (
        f"截至{_cn_date(as_of)}，《{plan.title}》（{plan.number}）确定的{data['task_count']}项任务分解为"
        f"{data['deliverable_count']}个节点事项、{t.total}项单位责任事项。其中已完成{c['done']}项（占{t.pct}%），"
        f"推进中{c['in_progress']}项，存在风险{c['at_risk']}项，未启动{c['not_started']}项，逾期未完成{c['overdue']}项；"
        f"{data['tasks_done']}项任务的全部节点已完成。工作专班共召开会议{len(meetings)}次，形成议定事项{len(decisions)}项，"
        f"已办结{sum(1 for d in decisions if d.status == 'done')}项；"
        f"开展专题调研{research}次；发出督办通知{notices}份。")
    areas = []
    for i, a in enumerate(data["by_area"]):
        label = a.label if a.key != "decisions" else "工作专班会议议定事项"
        areas.append({"heading": f"（{NUMERALS[i] if i < len(NUMERALS) else i + 1}）{label}", "tally": a,
                      "text": f"共{a.total}项，已完成{a.done}项（{a.pct}%），推进中{a.counts['in_progress']}项，"
                              f"存在风险{a.counts['at_risk']}项，未启动{a.counts['not_started']}项，"
                              f"逾期未完成{a.counts['overdue']}项。"})
    next_steps = []
    if data["overdue"]:
        units = "、".join(dict.fromkeys(r["unit__short"] for r in data["overdue"]))
        next_steps.append(f"对{len(data['overdue'])}项逾期未完成事项（涉及{units}）逐项发出督办通知，跟踪整改，"
                          "按期报送完成情况和佐证材料。")
    if data["upcoming"]:
        next_steps.append(f"今后90天内有{len(data['upcoming'])}项事项到期，工作专班办公室将按督办制度提前提醒承办单位。")
    if c["at_risk"]:
        next_steps.append(f"对{c['at_risk']}项存在风险的事项组织会商，必要时提交工作专班会议研究审议。")
    missing = data["research_missing"]
    if missing:
        gaps = "、".join(f"{h['year']}年{'上' if h['half'] == 1 else '下'}半年" for h in missing)
        next_steps.append(f"{gaps}未开展专题调研，须按调研制度每半年至少开展一次专题调研。")
    if data["halves"] and data["halves"][-1]["state"] == "current":
        next_steps.append("本半年度尚未开展专题调研，年内组织一次，收集纳税人缴费人诉求和建议。")
    next_steps.append("继续定期向区委、区政府汇报工作进展情况，向各成员单位通报工作落实情况。")
    return {"plan": plan, "as_of": as_of, "data": data, "title": report_title(plan), "summary": summary,
            "areas": areas, "next_steps": next_steps, "office": office_name(plan)}


def report_pdf(content: dict, number: str) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    styles = _styles()
    data = content["data"]
    story: list = []
    _header(story, styles, content["office"], number)
    story.append(Paragraph(_esc(content["title"]), styles["title"]))
    story.append(Paragraph("区委、区政府：", styles["plain"]))
    story.append(Paragraph(_esc(content["summary"]), styles["body"]))
    story.append(Paragraph("一、各领域进展情况", styles["h2"]))
    for area in content["areas"]:
        story.append(Paragraph(_esc(f"{area['heading']}：{area['text']}"), styles["body"]))
    story.append(Spacer(1, 4))
    rows = [["单位", "事项", "已完成", "推进中", "存在风险", "未启动", "逾期", "按期完成率"]]
    for u in data["by_unit"]:
        rows.append([u.label, u.total, u.done, u.counts["in_progress"], u.counts["at_risk"], u.counts["not_started"],
                     u.counts["overdue"], "—" if u.punctuality is None else f"{u.punctuality}%"])
    story.append(_table(rows, [34 * mm] + [17 * mm] * 7, styles))
    story.append(Paragraph("二、逾期未完成事项", styles["h2"]))
    if data["overdue"]:
        rows = [["序号", "任务/会议", "事项", "承办单位", "完成时限", "逾期天数"]]
        for i, r in enumerate(data["overdue"], 1):
            source = (f"{r['deliverable__task__number']}.{r['deliverable__task__title']}"
                      if r["deliverable__task__number"] else r["deliverable__meeting__title"])
            rows.append([i, source, r["deliverable__text"], r["unit__short"], str(r["deliverable__due_on"]),
                         r["days_late"]])
        story.append(_table(rows, [10 * mm, 32 * mm, 58 * mm, 24 * mm, 19 * mm, 13 * mm], styles))
    else:
        story.append(Paragraph("无逾期未完成事项。", styles["body"]))
    story.append(Paragraph("三、下一步工作", styles["h2"]))
    for i, step in enumerate(content["next_steps"], 1):
        story.append(Paragraph(_esc(f"{i}. {step}"), styles["body"]))
    story += [Spacer(1, 24), Paragraph(_esc(content["office"]), styles["right"]),
              Paragraph(_cn_date(content["as_of"]), styles["right"])]
    return _build(story, content["title"], content["office"])


def report_xlsx(content: dict, number: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    data = content["data"]
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([content["office"]])
    ws.append([number])
    ws.append([content["title"]])
    ws.append(["区委、区政府："])
    ws.append([content["summary"]])
    ws.append(["一、各领域进展情况"])
    for area in content["areas"]:
        ws.append([f"{area['heading']}：{area['text']}"])
    ws.append(["二、逾期未完成事项"])
    ws.append([f"共{len(data['overdue'])}项，明细见“逾期事项”工作表。" if data["overdue"] else "无逾期未完成事项。"])
    ws.append(["三、下一步工作"])
    for i, step in enumerate(content["next_steps"], 1):
        ws.append([f"{i}. {step}"])
    ws.append([content["office"]])
    ws.append([_cn_date(content["as_of"])])
    ws["A1"].font = Font(bold=True, size=16, color="C00000")
    ws["A3"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def sheet(title, header, rows):
        s = wb.create_sheet(title)
        s.append(header)
        for cell in s[1]:
            cell.font = Font(bold=True)
        for r in rows:
            s.append(r)
        for i, _h in enumerate(header, 1):
            s.column_dimensions[get_column_letter(i)].width = 14
        s.freeze_panes = "A2"
        return s

    tally_header = ["已完成", "推进中", "存在风险", "未启动", "逾期", "合计", "完成率%"]

    def tally_row(t):
        return [t.done, t.counts["in_progress"], t.counts["at_risk"], t.counts["not_started"], t.counts["overdue"],
                t.total, t.pct]

    sheet("分领域", ["领域", *tally_header],
          [[a["heading"], *tally_row(a["tally"])] for a in content["areas"]]).column_dimensions["A"].width = 40
    sheet("分单位", ["单位", *tally_header, "按期完成", "逾期完成", "按期完成率%"],
          [[u.label, *tally_row(u), u.on_time, u.late, u.punctuality] for u in data["by_unit"]])
    sheet("分年度", ["年度", *tally_header], [[y.label, *tally_row(y)] for y in data["by_year"]])
    from .progress import bucket, items

    detail = sheet("事项明细", ["任务", "任务名称/会议", "事项", "承办单位", "职责", "完成时限", "状态", "完成日期"], [
        [r["deliverable__task__number"] or "", r["deliverable__task__title"] or r["deliverable__meeting__title"],
         r["deliverable__text"], r["unit__short"], "牵头" if r["role"] == "lead" else "负责",
         r["deliverable__due_on"], STATUS_ZH[bucket(r["status"], r["deliverable__due_on"], content["as_of"])],
         r["completed_on"]] for r in items(content["plan"])])
    detail.column_dimensions["C"].width = 60
    for row in detail.iter_rows(min_row=2):
        for i in (5, 7):
            if row[i].value:
                row[i].number_format = "yyyy-mm-dd"
    sheet("逾期事项", ["任务/会议", "事项", "承办单位", "完成时限", "逾期天数", "已升级督办"], [
        [r["deliverable__task__title"] or r["deliverable__meeting__title"], r["deliverable__text"], r["unit__short"],
         r["deliverable__due_on"], r["days_late"], "是" if r["escalated_at"] else "否"] for r in data["overdue"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
